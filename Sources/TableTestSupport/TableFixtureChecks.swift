#if canImport(Testing)
import Testing
import TableDriver

extension TableFixture {
    /// The number of the config's first line that is `text`, for expected messages that
    /// name it (nil when the config has no such line).
    package func line(of text: String) throws -> Int? {
        let lines = try TestEnvironment.readText(config).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.firstIndex { $0 == text }.map { $0 + 1 }
    }

    /// A table started on a bad config: the handshake fails, the table exits 1, and its log
    /// has every one of `messages` (each problem of the file, not just the first).
    package func expectStartRefused(naming messages: [String]) throws {
        let table = try start()
        #expect(throws: (any Error).self) { try table.handshake() }
        #expect(table.wait() == 1)
        let log = log()
        for expected in messages {
            #expect(log.contains(expected), "missing: \(expected)\nlog: \(log)")
        }
    }
}
#endif
