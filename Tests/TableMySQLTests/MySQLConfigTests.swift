import Testing
import TableDriver
import TableTestSupport

/// table-mysql's own config: the socket key, a refused password, errors without
/// reconnects. (The config checks of every SQL backend are SQLServerCheck's.)
extension MySQLTests {

    /// The Unix socket key, and upstream's keys alone (no port: a config for the C backend
    /// loads unchanged); a wrong password is an error naming the user, not the password.
    @Test func socketKeyAndWrongPassword() throws {
        let fixture = try MySQLFixture()
        defer { fixture.cleanUp() }
        let binary = MySQLFixture.binary
        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = ?", connection: """
            socket \(MySQLServer.value("SOCKET"))
            username \(MySQLServer.value("USER"))
            password \(MySQLServer.password)
            database \(MySQLServer.value("DATABASE"))
            """)
        let viaSocket = try TestEnvironment.capture(binary, [fixture.config, "check", "domain", "example.org"])
        #expect(viaSocket.stdout == "found\n", "\(viaSocket.stderr)")

        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = ?",
                                connection: MySQLFixture.connectionToTheServer.split(separator: "\n")
                                    .map { $0.hasPrefix("password ") ? "password wrong-secret" : String($0) }
                                    .joined(separator: "\n"))
        let denied = try TestEnvironment.capture(binary, [fixture.config, "check", "domain", "example.org"])
        #expect(denied.stdout.hasPrefix("error|cannot connect to MySQL: Access denied for user 'smtpd'"))
        #expect(!denied.stdout.contains("wrong-secret") && !denied.stderr.contains("wrong-secret"))
        TestEnvironment.run(["chmod", "0644", fixture.config])
        let warned = try TestEnvironment.capture(binary, ["-n", fixture.config])
        #expect(warned.stderr.contains("\(fixture.config) holds a password and is readable by every user"))
    }

    /// A failing statement on a working connection answers error at once, without the
    /// reconnects upstream made for every error.
    @Test func sqlErrorsDoNotReconnect() throws {
        let fixture = try MySQLFixture("query_alias SELECT (SELECT destination FROM virtuals WHERE email = ?)")
        defer { fixture.cleanUp() }
        let table = try fixture.start(arguments: ["-v", fixture.config])
        _ = try table.handshake()
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
        #expect(try table.request("lookup", "alias", key: "postmaster@example.org") == "error|query_alias: Subquery returns more than 1 row")
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
        table.closeInput()
        #expect(table.wait() == 0)
        #expect(!fixture.log().contains("connected again"))
    }
}

extension MySQLTests {
    /// The TLS keys upstream lacks: the server's certificate verified against `ssl_ca`; a
    /// wrong CA is a connect error, not a silent fall back to plain text.
    @Test func tlsWithAVerifiedServer() throws {
        let fixture = try MySQLFixture()
        defer { fixture.cleanUp() }
        let binary = MySQLFixture.binary
        let query = "query_domain SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_version' AND ? = 'tls'"
        try fixture.writeConfig(query, connection: MySQLFixture.connectionToTheServer + "\nssl_ca \(MySQLServer.value("CA"))")
        let verified = try TestEnvironment.capture(binary, [fixture.config, "lookup", "domain", "tls"])
        #expect(verified.stdout.hasPrefix("found|TLSv1."), "\(verified.stdout) \(verified.stderr)")

        try fixture.writeConfig(query, connection: MySQLFixture.connectionToTheServer + "\nssl_ca \(MySQLServer.value("OTHER_CA"))")
        let refused = try TestEnvironment.capture(binary, [fixture.config, "lookup", "domain", "tls"])
        #expect(refused.stdout.hasPrefix("error|cannot connect to MySQL"), "\(refused.stdout)")

        // Without any ssl_* key the connection stays in plain text, as upstream made it
        // (Ssl_version is then empty).
        try fixture.writeConfig(query)
        let plain = try TestEnvironment.capture(binary, [fixture.config, "lookup", "domain", "tls"])
        #expect(plain.stdout == "error|query_domain returned an empty value in column 1\n")
    }
}
