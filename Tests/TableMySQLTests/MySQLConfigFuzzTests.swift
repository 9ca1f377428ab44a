import Testing
import TableTestSupport
@testable import table_mysql

/// Random and mutated configs made from examples/mysql/mysql.conf through the backend's own
/// `load` (ExampleConfigFuzz).
@Suite struct MySQLConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        let result = try ExampleConfigFuzz.run(MySQLTable.self, example: "examples/mysql/mysql.conf",
                                               keywords: MySQLConfig.keywords, seed: 13)
        #expect(result.failure == nil, Comment(rawValue: result.failure ?? ""))
    }
}
