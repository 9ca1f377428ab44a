import Testing
import TableTestSupport
@testable import table_socketmap

/// Random and mutated configs made from examples/socketmap/socketmap.conf through the backend's own
/// `load` (ExampleConfigFuzz).
@Suite struct SocketmapConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        let result = try ExampleConfigFuzz.run(SocketmapTable.self, example: "examples/socketmap/socketmap.conf",
                                               keywords: SocketmapConfig.keywords, seed: 16)
        #expect(result.failure == nil, Comment(rawValue: result.failure ?? ""))
    }
}
