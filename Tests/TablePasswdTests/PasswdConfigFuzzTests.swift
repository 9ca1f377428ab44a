import Testing
import TableTestSupport
@testable import table_passwd

/// Random and mutated passwd files made from examples/passwd/passwd through the backend's own
/// `load` (ExampleConfigFuzz.expectEveryRefusalNamesALine).
@Suite struct PasswdConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        try ExampleConfigFuzz.expectEveryRefusalNamesALine(PasswdTable.self, example: "examples/passwd/passwd", keywords: [], seed: 17)
    }
}
