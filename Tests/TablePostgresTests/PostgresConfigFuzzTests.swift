import Testing
import TableTestSupport
@testable import table_postgres

/// Random and mutated configs made from examples/postgres/postgres.conf through the backend's own
/// `load` (ExampleConfigFuzz.expectEveryRefusalNamesALine).
@Suite struct PostgresConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        try ExampleConfigFuzz.expectEveryRefusalNamesALine(PostgresTable.self, keywords: PostgresConfig.keywords, seed: 12)
    }
}
