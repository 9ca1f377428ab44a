import Testing
import TableTestSupport
@testable import table_socketmap

/// Random and mutated configs made from examples/socketmap/socketmap.conf through the backend's own
/// `load` (ExampleConfigFuzz.expectEveryRefusalNamesALine).
@Suite struct SocketmapConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        try ExampleConfigFuzz.expectEveryRefusalNamesALine(SocketmapTable.self, keywords: SocketmapConfig.keywords, seed: 16)
    }
}
