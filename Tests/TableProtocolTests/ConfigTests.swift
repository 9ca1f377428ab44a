import Testing
@testable import TableProtocol

@Suite struct ConfigFileTests {
    func parse(_ text: String) throws -> [ConfigEntry] {
        try ConfigFile.parse(Array(text.utf8), path: "/etc/mail/t.conf").entries
    }

    /// The examples of the C grammar (spec §4.1 and §5.4).
    @Test(arguments: [
        ("dbpath /db", "dbpath", "/db"),
        ("dbpath:/db", "dbpath", "/db"),
        ("dbpath : /db", "dbpath", "/db"),
        ("dbpath\t:\t/db\r", "dbpath", "/db"),
        ("key::v", "key", ":v"),
        ("key :  : v", "key", "v"),
        ("key: :v", "key", ":v"),
        ("url:ldap://h", "url", "ldap://h"),
        ("url   :   ldap://h  ", "url", "ldap://h"),
        ("password: a b c ", "password", "a b c"),
        ("query_alias SELECT a FROM t WHERE k=?; # c", "query_alias", "SELECT a FROM t WHERE k=?; # c"),
        ("  indented value", "indented", "value"),
    ])
    func keyAndValue(line: String, key: String, value: String) throws {
        #expect(try parse(line) == [ConfigEntry(key: key, value: value, line: 1)])
    }

    @Test(arguments: ["key:", "key", "key :", "key\t", "key : :"])
    func missingValue(line: String) throws {
        let entries = try parse(line)
        #expect(entries.count == 1)
        #expect(entries.first?.value == nil)
    }

    @Test func commentsBlankLinesAndCRLF() throws {
        let entries = try parse("# comment\r\n\r\n   # indented comment\n\ndbpath /x\r\nquery_alias SELECT 1 # not a comment\n")
        #expect(entries == [
            ConfigEntry(key: "dbpath", value: "/x", line: 5),
            ConfigEntry(key: "query_alias", value: "SELECT 1 # not a comment", line: 6),
        ])
    }

    @Test func keysAreCaseSensitive() throws {
        #expect(try parse("URL x").first?.key == "URL")
    }

    @Test func invalidUTF8IsAnErrorWithItsLine() {
        let bytes = Array("dbpath /a\nquery_alias ".utf8) + [0xff] + Array("\n".utf8)
        #expect(throws: ConfigErrors.self) { try ConfigFile.parse(bytes, path: "/t.conf") }
        do {
            _ = try ConfigFile.parse(bytes, path: "/t.conf")
        } catch {
            #expect(error.description == "/t.conf:2: line is not valid UTF-8")
        }
    }

    @Test func missingFileNamesThePath() {
        do {
            _ = try ConfigFile.load("/nonexistent/table.conf")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description == "/nonexistent/table.conf: cannot read configuration: No such file or directory")
        }
    }
}

@Suite struct ConfigReaderTests {
    func reader(_ text: String, repeatable: Set<String> = []) throws -> ConfigReader {
        ConfigReader(try ConfigFile.parse(Array(text.utf8), path: "/t.conf"), keywords: ["dbpath", "query_alias", "url", "timeout", "tls"], repeatable: repeatable)
    }

    @Test func unknownDuplicateAndMissingAreErrorsWithLines() throws {
        let reader = try reader("dbpath /a\nquery_virtuals SELECT 1\ndbpath /b\nquery_alias\n")
        #expect(reader.problems.map(\.description) == [
            "/t.conf:2: unknown keyword \"query_virtuals\"",
            "/t.conf:3: duplicate keyword \"dbpath\" (first given on line 1)",
            "/t.conf:4: missing value for \"query_alias\"",
        ])
        #expect(reader.string("dbpath") == "/a")
        #expect(throws: ConfigErrors.self) { try reader.finish() }
    }

    @Test func repeatableKeywordsKeepEveryLine() throws {
        let reader = try reader("url ldap://a\nurl ldap://b\n", repeatable: ["url"])
        #expect(reader.problems.isEmpty)
        #expect(reader.entries("url").map(\.value) == ["ldap://a", "ldap://b"])
    }

    @Test(arguments: [("5", 5), ("+7", 7), ("0", 0), ("3600", 3600)])
    func integers(text: String, value: Int) throws {
        var reader = try reader("timeout \(text)")
        let parsed = reader.integer("timeout", default: 1, in: 0...3600)
        #expect(parsed == value)
        #expect(reader.problems.isEmpty)
    }

    @Test(arguments: ["-1", "3601", "5s", "abc", "99999999999999999999999"])
    func badIntegers(text: String) throws {
        var reader = try reader("timeout \(text)")
        let parsed = reader.integer("timeout", default: 1, in: 0...3600)
        #expect(parsed == 1)
        #expect(reader.problems.map(\.description) == ["/t.conf:1: \"timeout\" must be a whole number from 0 to 3600, not \"\(text)\""])
    }

    @Test func booleans() throws {
        var yes = try reader("tls yes")
        let enabled = yes.boolean("tls", default: false)
        #expect(enabled)
        var bad = try reader("tls maybe")
        let fallback = bad.boolean("tls", default: false)
        #expect(!fallback)
        #expect(bad.problems.count == 1)
    }
}
