import Testing
import TableDriver
import TableTestSupport

/// Loading, checking and reloading a table-postgres config.
extension PostgresTests {
    typealias Config = SQLConfigChecks<PostgresFixture>

    @Test func configErrorsStopTheStartWithEveryLine() throws {
        try Config.configErrorsStopTheStartWithEveryLine()
    }

    @Test func missingConninfoIsAConfigError() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        try TestEnvironment.write("query_domain SELECT domain FROM domains WHERE domain = $1\n", to: fixture.config)
        let output = try TestEnvironment.capture(PostgresFixture.binary, ["-n", fixture.config])
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("\(fixture.config): missing \"conninfo\""))
    }

    @Test func wrongPlaceholdersAndColumnsAreNamedByKey() throws {
        try Config.wrongPlaceholdersAndColumnsAreNamedByKey([
            ("query_domain SELECT domain FROM domains", "query_domain: has no parameter for the key (write $1 where the key goes)"),
            ("query_domain SELECT domain FROM domains WHERE domain = $1 OR domain = $2::text", "query_domain: uses $2; only $1 (the key) is given"),
            ("query_alias SELECT destination, email FROM virtuals WHERE email = $1", "query_alias: must return 1 column, returns 2"),
            ("query_credentials SELECT email FROM credentials WHERE email = $1", "query_credentials: must return 2 columns, returns 1"),
            ("fetch_source SELECT address FROM relays WHERE address = $1", "fetch_source: takes no parameter, has 1"),
            ("query_netaddr SELECT address FROM nosuchtable WHERE address = $1", "query_netaddr: relation \"nosuchtable\" does not exist"),
        ])
    }

    @Test func commandLineChecksAndAnswers() throws {
        try Config.commandLineChecksAndAnswers()
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

    @Test func updateSwapsOnlyAWorkingConfig() throws {
        try Config.updateSwapsOnlyAWorkingConfig(
            badTable: "relation \"nosuchtable\" does not exist", unreachable: "conninfo host=127.0.0.1 port=1 dbname=mail",
            constantDomain: "query_domain SELECT 'other.example' WHERE $1 = 'other.example'")
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
