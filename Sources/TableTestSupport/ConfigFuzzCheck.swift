#if canImport(Testing)
import Testing
import TableProtocol

extension ExampleConfigFuzz {
    /// The config fuzz test of a backend (see `run`): its example config, mutated, through
    /// its own `load`; the test fails on the first load that crashes or names no line. The
    /// example is `examples/NAME/NAME.conf` unless given.
    package static func expectEveryRefusalNamesALine<Table: TableBackend>(
        _ table: Table.Type, example: String? = nil, keywords: [String], seed: UInt64,
        adapt: (_ text: String, _ directory: String) throws -> String = { text, _ in text }
    ) throws {
        let result = try run(table, example: example ?? "examples/\(Table.name)/\(Table.name).conf",
                             keywords: keywords, seed: seed, adapt: adapt)
        #expect(result.failure == nil, Comment(rawValue: result.failure ?? ""))
    }
}
#endif
