import Testing
import TableDriver
import TableTestSupport

/// table-postgres's own config: conninfo, and the warning for a password others can read.
/// (The config checks of every SQL backend are SQLServerCheck's.)
extension PostgresTests {

    @Test func missingConninfoIsAConfigError() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        try TestEnvironment.write("query_domain SELECT domain FROM domains WHERE domain = $1\n", to: fixture.config)
        let output = try TestEnvironment.capture(PostgresFixture.binary, ["-n", fixture.config])
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("\(fixture.config): missing \"conninfo\""))
    }

    /// Several hosts: the first refuses, libpq goes on to the next.
    @Test func severalHostsInConninfo() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let conninfo = "host=127.0.0.1,127.0.0.1 port=1,\(PostgresServer.port) dbname=\(PostgresServer.value("DATABASE")) user=\(PostgresServer.value("USER")) password=\(PostgresServer.password) target_session_attrs=read-write"
        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = $1", conninfo: conninfo)
        let output = try TestEnvironment.capture(PostgresFixture.binary, [fixture.config, "check", "domain", "example.org"])
        #expect(output.stdout == "found\n", "\(output.stderr)")
    }

    @Test func uriConninfoAndWorldReadableWarning() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let uri = "postgresql://\(PostgresServer.value("USER")):\(PostgresServer.password)@127.0.0.1:\(PostgresServer.port)/\(PostgresServer.value("DATABASE"))?application_name=smtpd-test"
        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = $1", conninfo: uri)
        let binary = PostgresFixture.binary
        let quiet = try TestEnvironment.capture(binary, [fixture.config, "check", "domain", "example.org"])
        #expect(quiet.stdout == "found\n")
        #expect(!quiet.stderr.contains("readable"))
        TestEnvironment.run(["chmod", "0644", fixture.config])
        let warned = try TestEnvironment.capture(binary, [fixture.config, "check", "domain", "example.org"])
        #expect(warned.stdout == "found\n")
        #expect(warned.stderr.contains("\(fixture.config) holds a password and is readable by every user"))
        #expect(!warned.stderr.contains(PostgresServer.password))
    }

}

extension PostgresTests {
    /// TLS as libpq does it, from conninfo: the server's certificate verified against the
    /// test CA; a wrong CA is a connect error.
    @Test func tlsWithAVerifiedServer() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let binary = PostgresFixture.binary
        let query = "query_domain SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl AND $1 = 'tls'"
        try fixture.writeConfig(query, conninfo: PostgresServer.conninfo + " sslmode=verify-full sslrootcert=\(PostgresServer.value("CA"))")
        let verified = try TestEnvironment.capture(binary, [fixture.config, "lookup", "domain", "tls"])
        #expect(verified.stdout.hasPrefix("found|TLSv1."), "\(verified.stdout) \(verified.stderr)")

        try fixture.writeConfig(query, conninfo: PostgresServer.conninfo + " sslmode=verify-full sslrootcert=\(PostgresServer.value("OTHER_CA"))")
        let refused = try TestEnvironment.capture(binary, [fixture.config, "lookup", "domain", "tls"])
        #expect(refused.stdout.hasPrefix("error|cannot connect to PostgreSQL"), "\(refused.stdout)")
        #expect(refused.stdout.contains("certificate verify failed"), "\(refused.stdout)")
    }
}
