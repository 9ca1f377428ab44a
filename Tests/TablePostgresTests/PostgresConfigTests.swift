import Testing
import TableDriver

/// Loading, checking and reloading a table-postgres config.
extension PostgresTests {
    @Test func configErrorsStopTheStartWithEveryLine() throws {
        let fixture = try PostgresFixture("""
            query_virtuals SELECT 1
            query_domain SELECT domain FROM domains WHERE domain = $1
            query_domain SELECT domain FROM domains WHERE domain = $1
            max_connections 0
            """)
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        #expect(throws: (any Error).self) { try table.handshake() }
        #expect(table.wait() == 1)
        let log = fixture.log()
        for expected in [
            "\(fixture.config):4: unknown keyword \"query_virtuals\"",
            "\(fixture.config):6: duplicate keyword \"query_domain\" (first given on line 5)",
            "\(fixture.config):7: \"max_connections\" must be a whole number from 1 to 64, not \"0\"",
        ] {
            #expect(log.contains(expected), "missing: \(expected)\nlog: \(log)")
        }
    }

    @Test func missingConninfoIsAConfigError() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        try TestEnvironment.write("query_domain SELECT domain FROM domains WHERE domain = $1\n", to: fixture.config)
        let output = try TestEnvironment.capture(TestEnvironment.binary("table-postgres"), ["-n", fixture.config])
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("\(fixture.config): missing \"conninfo\""))
    }

    /// Placeholders and columns are checked when the statements are prepared: by `-n`, and
    /// by every new connection (so a bad query answers error instead of a wrong value).
    @Test func wrongPlaceholdersAndColumnsAreNamedByKey() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let binary = TestEnvironment.binary("table-postgres")
        let cases = [
            ("query_domain SELECT domain FROM domains", "query_domain: has no parameter for the key (write $1 where the key goes)"),
            ("query_domain SELECT domain FROM domains WHERE domain = $1 OR domain = $2::text", "query_domain: uses $2; only $1 (the key) is given"),
            ("query_alias SELECT destination, email FROM virtuals WHERE email = $1", "query_alias: must return 1 column, returns 2"),
            ("query_credentials SELECT email FROM credentials WHERE email = $1", "query_credentials: must return 2 columns, returns 1"),
            ("fetch_source SELECT address FROM relays WHERE address = $1", "fetch_source: takes no parameter, has 1"),
            ("query_netaddr SELECT address FROM nosuchtable WHERE address = $1", "query_netaddr: relation \"nosuchtable\" does not exist"),
        ]
        for (line, message) in cases {
            try fixture.writeConfig(line)
            let output = try TestEnvironment.capture(binary, ["-n", fixture.config])
            #expect(output.status == 1, "\(line)")
            #expect(output.stderr.hasPrefix("\(fixture.config): \(message)"), "\(line): \(output.stderr)")
        }
        // Served anyway, such a table answers error, naming the key.
        try fixture.writeConfig(cases[2].0)
        let table = try fixture.start()
        #expect(try table.handshake() == ["alias"])
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "error|query_alias: must return 1 column, returns 2")
    }

    @Test func commandLineChecksAndAnswers() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let binary = TestEnvironment.binary("table-postgres")
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
        #expect(version.status == 0 && version.stdout.hasPrefix("table-postgres (opensmtpd-tables) "))
    }

    @Test func uriConninfoAndWorldReadableWarning() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let uri = "postgresql://\(PostgresServer.value("USER")):\(PostgresServer.password)@127.0.0.1:\(PostgresServer.port)/\(PostgresServer.value("DATABASE"))?application_name=smtpd-test"
        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = $1", conninfo: uri)
        let binary = TestEnvironment.binary("table-postgres")
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
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        #expect(try table.request("check", "domain", key: "example.org") == "found")

        try fixture.writeConfig(PostgresFixture.queries + "\nquery_virtuals SELECT 1")
        #expect(try table.request("update") == "error|configuration not reloaded: \(fixture.config):15: unknown keyword \"query_virtuals\"")
        #expect(try table.request("check", "domain", key: "example.org") == "found")

        try fixture.writeConfig("query_domain SELECT domain FROM nosuchtable WHERE domain = $1")
        #expect(try table.request("update").hasPrefix("error|configuration not reloaded: query_domain: relation \"nosuchtable\" does not exist"))
        #expect(try table.request("check", "domain", key: "example.org") == "found")

        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = $1", conninfo: "host=127.0.0.1 port=1 dbname=mail")
        #expect(try table.request("update").hasPrefix("error|configuration not reloaded: cannot connect to PostgreSQL"))
        #expect(try table.request("check", "domain", key: "example.org") == "found")

        try fixture.writeConfig("query_domain SELECT 'other.example' WHERE $1 = 'other.example'")
        #expect(try table.request("update") == "ok")
        #expect(try table.request("check", "domain", key: "example.org") == "not-found")
        #expect(try table.request("check", "domain", key: "other.example") == "found")
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "error|no query_alias configured")
    }
}

extension PostgresTests {
    /// TLS as libpq does it, from conninfo: the server's certificate verified against the
    /// test CA; a wrong CA is a connect error.
    @Test func tlsWithAVerifiedServer() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let binary = TestEnvironment.binary("table-postgres")
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
