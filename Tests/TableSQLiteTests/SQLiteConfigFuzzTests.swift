import Testing
import TableDriver
import TableTestSupport
@testable import table_sqlite

/// Random and mutated configs made from examples/sqlite/sqlite.conf through the backend's own
/// `load` (ExampleConfigFuzz.expectEveryRefusalNamesALine).
@Suite struct SQLiteConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        try ExampleConfigFuzz.expectEveryRefusalNamesALine(SQLiteTable.self, keywords: SQLiteConfig.keywords, seed: 11) { text, directory in
            // The example's dbpath, made real: the load opens the database and prepares every query.
            let database = "\(directory)/example.db"
            #expect(TestEnvironment.run(["sqlite3", database], stdinPath: ConfigFuzz.repositoryFile("examples/sqlite/example.sql")) == 0)
            return text.replacing("/etc/mail/example.db", with: database)
        }
    }
}
