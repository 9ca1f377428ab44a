import Testing
import TableDriver
import TableTestSupport

/// table-sqlite spawned as smtpd spawns it, on a real database file: the service tests the SQL
/// backends share (SQLServiceChecks), on this backend's fixture.
@Suite struct SQLiteServiceTests {
    @Test(arguments: SQLServiceCheck.allCases) func service(_ check: SQLServiceCheck) throws {
        try check.run(on: SQLiteFixture.self)
    }

    @Test func commandLine() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        try SQLServiceChecks<SQLiteFixture>.commandLineChecksAndAnswers(fixture)
    }
}
