#if canImport(Testing)
import Testing
import TableDriver

/// The checks of SQLConfigChecks by name (SQLServerCheck runs them).
package enum SQLConfigCheck: String, CaseIterable, Sendable {
    case configErrorsStopTheStartWithEveryLine, wrongPlaceholdersAndColumnsAreNamedByKey
    case commandLineChecksAndAnswers, updateSwapsOnlyAWorkingConfig
}

/// Loading, checking and reloading a config, for the SQL backends on a test server
/// (table-postgres, table-mysql): the same steps, each server's own messages from its
/// fixture.
package enum SQLConfigChecks<Fixture: SQLServerFixture> {
    /// Every problem of the file is named with its line, and the start is refused, with the
    /// problems of this backend's own keywords (`Fixture.ownKeywordProblems`).
    package static func configErrorsStopTheStartWithEveryLine() throws {
        let more = Fixture.ownKeywordProblems
        let key = Fixture.placeholder
        let fixture = try Fixture((["query_virtuals SELECT 1",
                                    "query_domain SELECT domain FROM domains WHERE domain = \(key)",
                                    "query_domain SELECT domain FROM domains WHERE domain = \(key)",
                                    "max_connections 0"] + more.map(\.line)).joined(separator: "\n"))
        defer { fixture.cleanUp() }
        let first = try #require(try fixture.line(of: "query_virtuals SELECT 1"))
        try fixture.expectStartRefused(naming: [
            "\(fixture.config):\(first): unknown keyword \"query_virtuals\"",
            "\(fixture.config):\(first + 2): duplicate keyword \"query_domain\" (first given on line \(first + 1))",
            "\(fixture.config):\(first + 3): \"max_connections\" must be a whole number from 1 to 64, not \"0\"",
        ] + more.enumerated().map { "\(fixture.config):\(first + 4 + $0.offset): \($0.element.message)" })
    }

    /// Placeholders and columns are checked when the statements are prepared: by `-n`, and
    /// by every new connection (so a bad query answers error instead of a wrong value).
    /// Each query line below, alone in the config, and what `-n` says of it; the third is
    /// also served.
    package static func wrongPlaceholdersAndColumnsAreNamedByKey() throws {
        let key = Fixture.placeholder
        let cases: [(line: String, message: String)] = [
            ("query_domain SELECT domain FROM domains", "query_domain: has no parameter for the key (write \(key) where the key goes)"),
            Fixture.secondParameter,
            ("query_alias SELECT destination, email FROM virtuals WHERE email = \(key)", "query_alias: must return 1 column, returns 2"),
            ("query_credentials SELECT email FROM credentials WHERE email = \(key)", "query_credentials: must return 2 columns, returns 1"),
            ("fetch_source SELECT address FROM relays WHERE address = \(key)", "fetch_source: takes no parameter, has 1"),
            ("query_netaddr SELECT address FROM nosuchtable WHERE address = \(key)", "query_netaddr: \(Fixture.missingTableMessage)"),
        ]
        let fixture = try Fixture(Fixture.queries)
        defer { fixture.cleanUp() }
        for (line, message) in cases {
            try fixture.writeConfig(line)
            let output = try fixture.command(["-n", fixture.config])
            #expect(output.status == 1, "\(line)")
            #expect(output.stderr.hasPrefix("\(fixture.config): \(message)"), "\(line): \(output.stderr)")
        }
        // Served anyway, such a table answers error, naming the key.
        try fixture.writeConfig(cases[2].line)
        let table = try fixture.start()
        #expect(try table.handshake() == ["alias"])
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "error|\(cases[2].message)")
    }

    package static func commandLineChecksAndAnswers() throws {
        let fixture = try Fixture(Fixture.queries)
        defer { fixture.cleanUp() }
        try SQLServiceChecks<Fixture>.commandLineChecksAndAnswers(fixture)
    }

    /// `update` replaces the config only with one that loads, prepares and connects; the
    /// old one serves meanwhile.
    package static func updateSwapsOnlyAWorkingConfig() throws {
        let key = Fixture.placeholder
        let fixture = try Fixture(Fixture.queries)
        try fixture.withTable { table throws in
            #expect(try table.request("check", "domain", key: "example.org") == "found")

            try fixture.writeConfig(Fixture.queries + "\nquery_virtuals SELECT 1")
            let line = try #require(try fixture.line(of: "query_virtuals SELECT 1"))
            #expect(try table.request("update") == "error|configuration not reloaded: \(fixture.config):\(line): unknown keyword \"query_virtuals\"")
            #expect(try table.request("check", "domain", key: "example.org") == "found")

            try fixture.writeConfig("query_domain SELECT domain FROM nosuchtable WHERE domain = \(key)")
            #expect(try table.request("update").hasPrefix("error|configuration not reloaded: query_domain: \(Fixture.missingTableMessage)"))
            #expect(try table.request("check", "domain", key: "example.org") == "found")

            try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = \(key)", connection: Fixture.unreachableConnection)
            #expect(try table.request("update").hasPrefix("error|configuration not reloaded: cannot connect to \(Fixture.product)"))
            #expect(try table.request("check", "domain", key: "example.org") == "found")

            try fixture.writeConfig(Fixture.otherDomainOnlyQuery)
            #expect(try table.request("update") == "ok")
            #expect(try table.request("check", "domain", key: "example.org") == "not-found")
            #expect(try table.request("check", "domain", key: "other.example") == "found")
            #expect(try table.request("lookup", "alias", key: "alice@example.org") == "error|no query_alias configured")
        }
    }
}

extension SQLServiceChecks {
    /// The command-line modes on a fixture serving every query: `-n`, one request and its
    /// exit status, `--version`, `-h`, and the usage errors.
    package static func commandLineChecksAndAnswers(_ fixture: Fixture) throws {
        let check = try fixture.command(["-n", fixture.config])
        #expect(check.status == 0)
        #expect(check.stdout == "configuration OK (serves alias, domain, credentials, netaddr, userinfo, source, mailaddr, addrname, mailaddrmap)\n")
        let found = try fixture.command([fixture.config, "lookup", "alias", "PostMaster@Example.ORG"])
        #expect(found.status == 0 && found.stdout == "found|alice@example.org, bob@example.org\n")
        let missing = try fixture.command([fixture.config, "check", "domain", "example.com"])
        #expect(missing.status == 1 && missing.stdout == "not-found\n")
        let failed = try fixture.command([fixture.config, "lookup", "alias", "crlf@example.org"])
        #expect(failed.status == 2 && failed.stdout == "error|value contains a line break\n")
        let fetched = try fixture.command([fixture.config, "fetch", "source"])
        #expect(fetched.stdout == "found|192.0.2.1\n")

        let version = try fixture.command(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("\(Fixture.program) (opensmtpd-tables) "))
        let help = try fixture.command(["-h"])
        #expect(help.status == 0 && help.stdout.contains("usage: \(Fixture.program)"))
        let noArgument = try fixture.command([])
        #expect(noArgument.status == 1 && noArgument.stderr.contains("missing CONFIG"))
        let badOption = try fixture.command(["-x", fixture.config])
        #expect(badOption.status == 1 && badOption.stderr.contains("unknown option -x"))
        let badService = try fixture.command([fixture.config, "lookup", "nosuch", "k"])
        #expect(badService.status == 1 && badService.stderr.contains("unknown service \"nosuch\""))
    }
}
#endif
