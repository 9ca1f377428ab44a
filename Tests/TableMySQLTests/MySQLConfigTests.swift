import Testing
import TableDriver

/// Loading, checking and reloading a table-mysql config.
extension MySQLTests {
    @Test func configErrorsStopTheStartWithEveryLine() throws {
        let fixture = try MySQLFixture("""
            query_virtuals SELECT 1
            query_domain SELECT domain FROM domains WHERE domain = ?
            query_domain SELECT domain FROM domains WHERE domain = ?
            max_connections 0
            ssl_verify_server_cert maybe
            """)
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        #expect(throws: (any Error).self) { try table.handshake() }
        #expect(table.wait() == 1)
        let log = fixture.log()
        for expected in [
            "\(fixture.config):8: unknown keyword \"query_virtuals\"",
            "\(fixture.config):10: duplicate keyword \"query_domain\" (first given on line 9)",
            "\(fixture.config):11: \"max_connections\" must be a whole number from 1 to 64, not \"0\"",
            "\(fixture.config):12: \"ssl_verify_server_cert\" must be yes or no, not \"maybe\"",
        ] {
            #expect(log.contains(expected), "missing: \(expected)\nlog: \(log)")
        }
    }

    /// Placeholders and columns are checked when the statements are prepared: by `-n`, and
    /// by every new connection (so a bad query answers error instead of a wrong value).
    @Test func wrongPlaceholdersAndColumnsAreNamedByKey() throws {
        let fixture = try MySQLFixture()
        defer { fixture.cleanUp() }
        let binary = TestEnvironment.binary("table-mysql")
        let cases = [
            ("query_domain SELECT domain FROM domains", "query_domain: has no parameter for the key (write ? where the key goes)"),
            ("query_domain SELECT domain FROM domains WHERE domain = ? OR domain = ?", "query_domain: has 2 parameters; write ? once, for the key"),
            ("query_alias SELECT destination, email FROM virtuals WHERE email = ?", "query_alias: must return 1 column, returns 2"),
            ("query_credentials SELECT email FROM credentials WHERE email = ?", "query_credentials: must return 2 columns, returns 1"),
            ("fetch_source SELECT address FROM relays WHERE address = ?", "fetch_source: takes no parameter, has 1"),
            ("query_netaddr SELECT address FROM nosuchtable WHERE address = ?", "query_netaddr: Table 'mail.nosuchtable' doesn't exist"),
        ]
        for (line, message) in cases {
            try fixture.writeConfig(line)
            let output = try TestEnvironment.capture(binary, ["-n", fixture.config])
            #expect(output.status == 1, "\(line)")
            #expect(output.stderr.hasPrefix("\(fixture.config): \(message)"), "\(line): \(output.stderr)")
        }
        try fixture.writeConfig(cases[2].0)
        let table = try fixture.start()
        #expect(try table.handshake() == ["alias"])
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "error|query_alias: must return 1 column, returns 2")
    }

    @Test func commandLineChecksAndAnswers() throws {
        let fixture = try MySQLFixture()
        defer { fixture.cleanUp() }
        let binary = TestEnvironment.binary("table-mysql")
        let check = try TestEnvironment.capture(binary, ["-n", fixture.config])
        #expect(check.status == 0)
        #expect(check.stdout == "configuration OK (serves alias, domain, credentials, netaddr, userinfo, source, mailaddr, addrname, mailaddrmap)\n")
        let found = try TestEnvironment.capture(binary, [fixture.config, "lookup", "alias", "PostMaster@Example.ORG"])
        #expect(found.status == 0 && found.stdout == "found|alice@example.org, bob@example.org\n")
        let missing = try TestEnvironment.capture(binary, [fixture.config, "check", "domain", "example.com"])
        #expect(missing.status == 1 && missing.stdout == "not-found\n")
        let fetched = try TestEnvironment.capture(binary, [fixture.config, "fetch", "source"])
        #expect(fetched.stdout == "found|192.0.2.1\n")
        let version = try TestEnvironment.capture(binary, ["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("table-mysql (opensmtpd-tables) "))
    }

    /// The Unix socket key, and upstream's keys alone (no port: a config for the C backend
    /// loads unchanged); a wrong password is an error naming the user, not the password.
    @Test func socketKeyAndWrongPassword() throws {
        let fixture = try MySQLFixture()
        defer { fixture.cleanUp() }
        let binary = TestEnvironment.binary("table-mysql")
        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = ?", connection: """
            socket \(MySQLServer.value("SOCKET"))
            username \(MySQLServer.value("USER"))
            password \(MySQLServer.password)
            database \(MySQLServer.value("DATABASE"))
            """)
        let viaSocket = try TestEnvironment.capture(binary, [fixture.config, "check", "domain", "example.org"])
        #expect(viaSocket.stdout == "found\n", "\(viaSocket.stderr)")

        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = ?",
                                connection: MySQLServer.connectionKeys.split(separator: "\n")
                                    .map { $0.hasPrefix("password ") ? "password wrong-secret" : String($0) }
                                    .joined(separator: "\n"))
        let denied = try TestEnvironment.capture(binary, [fixture.config, "check", "domain", "example.org"])
        #expect(denied.stdout.hasPrefix("error|cannot connect to MySQL: Access denied for user 'smtpd'"))
        #expect(!denied.stdout.contains("wrong-secret") && !denied.stderr.contains("wrong-secret"))
        TestEnvironment.run(["chmod", "0644", fixture.config])
        let warned = try TestEnvironment.capture(binary, ["-n", fixture.config])
        #expect(warned.stderr.contains("\(fixture.config) holds a password and is readable by every user"))
    }

    @Test func updateSwapsOnlyAWorkingConfig() throws {
        let fixture = try MySQLFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        #expect(try table.request("check", "domain", key: "example.org") == "found")

        try fixture.writeConfig(MySQLFixture.queries + "\nquery_virtuals SELECT 1")
        #expect(try table.request("update") == "error|configuration not reloaded: \(fixture.config):19: unknown keyword \"query_virtuals\"")
        #expect(try table.request("check", "domain", key: "example.org") == "found")

        try fixture.writeConfig("query_domain SELECT domain FROM nosuchtable WHERE domain = ?")
        #expect(try table.request("update") == "error|configuration not reloaded: query_domain: Table 'mail.nosuchtable' doesn't exist")
        #expect(try table.request("check", "domain", key: "example.org") == "found")

        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = ?", connection: "host 127.0.0.1\nport 1")
        #expect(try table.request("update").hasPrefix("error|configuration not reloaded: cannot connect to MySQL"))
        #expect(try table.request("check", "domain", key: "example.org") == "found")

        try fixture.writeConfig("query_domain SELECT 'other.example' FROM DUAL WHERE ? = 'other.example'")
        #expect(try table.request("update") == "ok")
        #expect(try table.request("check", "domain", key: "example.org") == "not-found")
        #expect(try table.request("check", "domain", key: "other.example") == "found")
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "error|no query_alias configured")
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
        let binary = TestEnvironment.binary("table-mysql")
        let query = "query_domain SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_version' AND ? = 'tls'"
        try fixture.writeConfig(query, connection: MySQLServer.connectionKeys + "\nssl_ca \(MySQLServer.value("CA"))")
        let verified = try TestEnvironment.capture(binary, [fixture.config, "lookup", "domain", "tls"])
        #expect(verified.stdout.hasPrefix("found|TLSv1."), "\(verified.stdout) \(verified.stderr)")

        try fixture.writeConfig(query, connection: MySQLServer.connectionKeys + "\nssl_ca \(MySQLServer.value("OTHER_CA"))")
        let refused = try TestEnvironment.capture(binary, [fixture.config, "lookup", "domain", "tls"])
        #expect(refused.stdout.hasPrefix("error|cannot connect to MySQL"), "\(refused.stdout)")

        // Without any ssl_* key the connection stays in plain text, as upstream made it
        // (Ssl_version is then empty).
        try fixture.writeConfig(query)
        let plain = try TestEnvironment.capture(binary, [fixture.config, "lookup", "domain", "tls"])
        #expect(plain.stdout == "error|query_domain returned an empty value in column 1\n")
    }
}
