import Testing
import TableDriver
import TableTestSupport

extension PostgresFixture: SQLCacheFixture {
    func execute(_ statements: String) throws { try PostgresServer.sql(statements) }
}

/// The answer cache against PostgreSQL halted, frozen and ending the table's sessions
/// (CacheChecks). In the serialized suite: they stop the server.
extension PostgresTests {
    @Test(arguments: PostgresFixture.cacheChecks) func cache(_ check: CacheCheck) throws {
        try check.run(on: PostgresFixture.self)
    }
}
