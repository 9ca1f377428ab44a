import Testing
import TableTestSupport
@testable import table_mysql

/// Random and mutated configs made from examples/mysql/mysql.conf through the backend's own
/// `load` (ExampleConfigFuzz.expectEveryRefusalNamesALine).
@Suite struct MySQLConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        try ExampleConfigFuzz.expectEveryRefusalNamesALine(MySQLTable.self, keywords: MySQLConfig.keywords, seed: 13)
    }
}
