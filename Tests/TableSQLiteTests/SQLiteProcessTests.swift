import Testing
import TableDriver
import TableTestSupport

/// The process around the queries: start-up checks, update, pipelining, end of input,
/// malformed lines and the command line.
@Suite struct SQLiteProcessTests {
    @Test func malformedLinesNeverStopTheTable() throws {
        let fixture = try SQLiteFixture()
        try fixture.withTable { table throws in
            try table.send("garbage\n\n|||||\ntable|0.1\n" + "table|0.1|1|t|lookup|alias|00000001|" + String(repeating: "k", count: 1_000_000) + "\n")
            #expect(try table.readLine() == "lookup-result|00000001|error|request line too long")
            try table.send("table|0.2|1|t|lookup|alias|00000002|x\ntable|0.1|1|t|frob|alias|00000003|x\n")
            #expect(try table.readLine() == "lookup-result|00000002|error|unsupported protocol version")
            #expect(try table.readLine() == "frob-result|00000003|error|unknown operation \"frob\"")
            try table.send(Array("table|0.1|1|t|lookup|alias|00000004|".utf8) + [0, 0xff, 0x0d] + [0x0a])
            #expect(try table.readLine() == "lookup-result|00000004|not-found")
            #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
            table.closeInput()
            #expect(table.wait() == 0)
            #expect(fixture.log().contains("skipping a line of 7 bytes: not a table request"))
        }
    }

    /// The CPU time table-bench reports per request (TableProcess.cpuNanoseconds) grows
    /// with the lookups the table answers.
    @Test func cpuTimeGrowsWithTheLookupsAnswered() throws {
        try SQLiteFixture().withTable { table throws in
            #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
            let before = try #require(table.cpuNanoseconds())
            for _ in 0..<500 {
                #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
            }
            let after = try #require(table.cpuNanoseconds())
            // 500 lookups take well over 500 us of the table's CPU (each makes ten system calls).
            #expect(after > before + 500_000)
        }
    }

    @Test func endOfInputExitsZeroAfterAnsweringWhatWasSent() throws {
        try SQLiteFixture().withTable { table throws in
            var batch: [UInt8] = []
            var ids: Set<String> = []
            for _ in 0..<50 {
                let id = table.makeID()
                ids.insert(id)
                batch += table.requestLine("check", service: "domain", id: id, key: Array("example.org".utf8)) + [0x0a]
            }
            try table.send(batch)
            table.closeInput()
            while let line = try table.readLine() {
                let fields = line.split(separator: "|").map(String.init)
                #expect(fields.count == 3 && fields[2] == "found")
                let removed = ids.remove(fields[1])
                #expect(removed != nil)
            }
            #expect(ids.isEmpty)
            #expect(table.wait() == 0)
        }
    }

    @Test func updateSwapsOnlyAWorkingConfig() throws {
        let fixture = try SQLiteFixture()
        try fixture.withTable { table throws in
            #expect(try table.request("check", "domain", key: "example.org") == "found")

            // A broken config: error, and the old one keeps serving.
            try fixture.writeConfig(SQLiteFixture.queries + "\nquery_virtuals SELECT 1")
            #expect(try table.request("update") == "error|configuration not reloaded: \(fixture.config):14: unknown keyword \"query_virtuals\"")
            #expect(try table.request("check", "domain", key: "example.org") == "found")

            // A config whose statement does not prepare: error too.
            try fixture.writeConfig("query_domain SELECT domain FROM nosuchtable WHERE domain = ?")
            #expect(try table.request("update") == "error|configuration not reloaded: \(fixture.config):3: query_domain: no such table: nosuchtable")

            // A missing file: error.
            let other = try SQLiteFixture()
            defer { other.cleanUp() }
            TestEnvironment.run(["rm", "-f", fixture.config])
            #expect(try table.request("update").hasPrefix("error|configuration not reloaded: \(fixture.config): cannot read configuration"))
            #expect(try table.request("check", "domain", key: "example.org") == "found")

            // A good new config on another database is used from the next request on.
            try other.sql("DELETE FROM domains; INSERT INTO domains VALUES ('example.com');")
            try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = ?", dbpath: other.database)
            #expect(try table.request("update") == "ok")
            #expect(try table.request("check", "domain", key: "example.org") == "not-found")
            #expect(try table.request("check", "domain", key: "example.com") == "found")
            #expect(try table.request("lookup", "alias", key: "alice@example.org") == "error|no query_alias configured")
        }
    }

    @Test func configErrorsStopTheStartWithEveryLine() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        try fixture.writeConfig("""
            query_virtuals SELECT 1
            query_alias SELECT destination, email FROM virtuals WHERE email = ?
            query_domain SELECT domain FROM domains
            query_domain SELECT domain FROM domains WHERE domain = ?
            fetch_source_refresh many
            query_userinfo
            """)
        let path = fixture.config
        try fixture.expectStartRefused(naming: [
            "\(path):3: unknown keyword \"query_virtuals\"",
            "\(path):6: duplicate keyword \"query_domain\" (first given on line 5)",
            "\(path):7: \"fetch_source_refresh\" must be a whole number from 0 to 2147483647, not \"many\"",
            "\(path):8: missing value for \"query_userinfo\"",
        ])
    }

    @Test func statementsAreCheckedAtLoad() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        try fixture.writeConfig("""
            query_alias SELECT destination, email FROM virtuals WHERE email = ?
            query_domain SELECT domain FROM domains
            query_credentials SELECT email FROM credentials WHERE email = ?
            fetch_source SELECT address FROM relays WHERE address = ?
            query_netaddr SELEKT address FROM networks WHERE address = ?
            """)
        let output = try TestEnvironment.capture(SQLiteFixture.binary, ["-n", fixture.config])
        #expect(output.status == 1)
        let path = fixture.config
        #expect(output.stderr == """
            \(path):3: query_alias: must return 1 column, returns 2
            \(path):4: query_domain: has no parameter for the key (write ? where the key goes)
            \(path):5: query_credentials: must return 2 columns, returns 1
            \(path):6: fetch_source: takes no parameter, has 1
            \(path):7: query_netaddr: near "SELEKT": syntax error

            """)
    }

    @Test func missingDatabaseIsAnErrorNotANewFile() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        try fixture.writeConfig("query_domain SELECT 1 WHERE ? = 'x'", dbpath: "\(fixture.directory)/missing.db")
        let output = try TestEnvironment.capture(SQLiteFixture.binary, ["-n", fixture.config])
        #expect(output.status == 1)
        #expect(output.stderr == "\(fixture.config):2: cannot open database \(fixture.directory)/missing.db: unable to open database file\n")
        #expect(TestEnvironment.run(["test", "-e", "\(fixture.directory)/missing.db"]) != 0)
    }

    @Test func logLinesNameTheProgramAndTheTable() throws {
        let fixture = try SQLiteFixture()
        try fixture.withTable(verbose: true) { table throws in
            #expect(try table.request("lookup", "alias", key: "crlf@example.org") == "error|value contains a line break")
            #expect(try table.request("lookup", "credentials", key: "alice@example.org").hasPrefix("found|"))
            #expect(try table.request("fetch", "source").hasPrefix("found|"))
            try fixture.writeConfig("query_nothing x")
            #expect(try table.request("update").hasPrefix("error|"))
            table.closeInput()
            #expect(table.wait() == 0)
            let log = fixture.log()
            #expect(log.contains("table-sqlite[virtuals]: debug: fetch source: found\n"))
            #expect(log.contains("table-sqlite[virtuals]: warning: update: configuration not reloaded: \(fixture.config):3: unknown keyword \"query_nothing\"\n"))
            #expect(log.contains("table-sqlite[virtuals]: warning: lookup alias \"crlf@example.org\": value contains a line break\n"))
            #expect(log.contains("table-sqlite[virtuals]: debug: lookup credentials \"alice@example.org\": found\n"))
            #expect(!log.contains("$2b$"))
        }
    }
}
