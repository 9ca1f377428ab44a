import Testing
import TableTestSupport
@testable import table_passwd

/// Random and mutated passwd files made from examples/passwd/passwd through the backend's own
/// `load` (ExampleConfigFuzz).
@Suite struct PasswdConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        let result = try ExampleConfigFuzz.run(PasswdTable.self, example: "examples/passwd/passwd",
                                               keywords: [], seed: 17)
        #expect(result.failure == nil, Comment(rawValue: result.failure ?? ""))
    }
}
