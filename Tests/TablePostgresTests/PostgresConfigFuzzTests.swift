import Testing
import TableTestSupport
@testable import table_postgres

/// Random and mutated configs made from examples/postgres/postgres.conf through the backend's own
/// `load` (ExampleConfigFuzz).
@Suite struct PostgresConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        let result = try ExampleConfigFuzz.run(PostgresTable.self, example: "examples/postgres/postgres.conf",
                                               keywords: PostgresConfig.keywords, seed: 12)
        #expect(result.failure == nil, Comment(rawValue: result.failure ?? ""))
    }
}
