import Foundation
import Testing
import TableDriver
import TableProtocol
@testable import table_ldap
@testable import table_mysql
@testable import table_passwd
@testable import table_postgres
@testable import table_redis
@testable import table_socketmap
@testable import table_sqlite

/// The man pages document what the code does: every keyword a backend's config accepts,
/// every service it can register, and the keyword defaults the code uses.
@Suite struct ManPageTests {
    /// The repository root, from this file's path (Tests/PackagingTests/ManPageTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func manPage(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("packaging/man/table-\(name).5"), encoding: .utf8)
    }

    /// The keywords named by the page's `.It Ic keyword` entries, several where an entry
    /// lists them (`.It Ic alias_filter , domain_filter , \` and its continuation lines).
    static func documentedKeywords(_ page: String) -> Set<String> {
        let joined = page.replacingOccurrences(of: "\\\n", with: " ")
        var keywords: Set<String> = []
        for line in joined.split(separator: "\n") where line.hasPrefix(".It Ic ") {
            // The keywords come before the first argument macro (`Ar`, `Cm`, `Op`...).
            for word in line.split(separator: " ").dropFirst(2) {
                if word.first?.isUppercase == true { break }
                if word != "," { keywords.insert(String(word)) }
            }
        }
        return keywords
    }

    /// Every config keyword each backend accepts, from the code.
    static let keywords: [(name: String, keywords: [String])] = [
        ("sqlite", SQLiteConfig.keywords), ("postgres", PostgresConfig.keywords), ("mysql", MySQLConfig.keywords),
        ("ldap", LDAPConfig.keywords), ("redis", RedisConfig.keywords), ("socketmap", SocketmapConfig.keywords),
    ]

    @Test(arguments: keywords) func documentsEveryKeyword(_ backend: (name: String, keywords: [String])) throws {
        let documented = Self.documentedKeywords(try Self.manPage(backend.name))
        for keyword in backend.keywords {
            #expect(documented.contains(keyword), "table-\(backend.name).5 does not document \(keyword)")
        }
        for keyword in documented where keyword.contains("_") {
            #expect(backend.keywords.contains(keyword), "table-\(backend.name).5 documents \(keyword), which the code does not accept")
        }
    }

    @Test func sqliteDocumentsEveryServiceAndDefault() throws {
        let page = try Self.manPage("sqlite")
        for (service, _, _) in SQLQueries.lookupKeys {
            #expect(page.contains("Cm \(service.rawValue)"), "table-sqlite.5 does not say what \(service) returns")
        }
        // The defaults the page states, read back from a config that sets none of them.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("man-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("sqlite.conf").path
        try "dbpath /nonexistent.db\nquery_domain SELECT 1 WHERE ? = 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let config = try SQLiteConfig.load(path)
        #expect(page.contains(".It Ic timeout Ar seconds") && page.contains("Default: \(config.busyTimeoutSeconds)."))
        #expect(page.contains("Default: \(config.maximumConnections)."))
        #expect(page.contains("Default: \(config.queries.rotation.expire)."))
        #expect(page.contains("Default: \(config.queries.rotation.refresh)."))
    }

    @Test func passwdDocumentsItsServices() throws {
        let page = try Self.manPage("passwd")
        let backend = PasswdTable(file: PasswdFile())
        for service in backend.services {
            #expect(page.contains("Cm \(service.rawValue)"), "table-passwd.5 does not document \(service)")
        }
    }

    /// mandoc -Tlint at warning level, where mandoc is installed (scripts/deps/packaging.test).
    @Test(arguments: ["sqlite", "passwd", "postgres", "mysql", "ldap", "redis", "socketmap"]) func manPageIsLintClean(_ name: String) throws {
        let mandoc = "/usr/bin/mandoc"
        try #require(FileManager.default.isExecutableFile(atPath: mandoc) || !TestEnvironment.serversRequired,
                     "mandoc is not installed")
        guard FileManager.default.isExecutableFile(atPath: mandoc) else { return }
        // TestEnvironment.capture, not Foundation's Process: Process.run leaks a weak-reference
        // side table that LeakSanitizer reports at exit (scripts/sanitizers.sh).
        let run = try TestEnvironment.capture(mandoc, ["-Tlint", "-W", "warning", Self.root.appendingPathComponent("packaging/man/table-\(name).5").path])
        let text = run.stdout + run.stderr
        let problems = text.split(separator: "\n").filter { !$0.contains("mandoc.db") }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
