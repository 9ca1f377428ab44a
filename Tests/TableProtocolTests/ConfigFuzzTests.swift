import Testing
import TableDriver
@testable import TableProtocol

/// Mutated config files never crash the grammar or the keyword checks, and every problem
/// names a line of the file.
@Suite struct ConfigFuzzTests {
    static let seedConfig = """
        # comment
        dbpath /var/db/x.db
        query_alias SELECT a FROM t WHERE k = ?
        query_domain: SELECT d FROM t WHERE d = ?
        fetch_source_refresh 10
        timeout 5
        """

    @Test func mutatedConfigsLoadOrFailWithLines() {
        var fuzzer = RequestFuzzer(seed: 4242)
        let seed = Array(Self.seedConfig.utf8)
        let keywords = ["dbpath", "timeout", "max_connections"] + SQLQueries.keywords
        for _ in 0..<20_000 {
            var bytes = seed
            for _ in 0..<(1 + fuzzer.below(8)) {
                let position = fuzzer.below(bytes.count + 1)
                let byte: UInt8 = [0x0a, 0x3a, 0x20, 0x09, 0x23, 0x0d, 0x00, 0xff, 0x2b, 0x2d][fuzzer.below(10)]
                switch fuzzer.below(3) {
                case 0 where position < bytes.count: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                default: if position < bytes.count { bytes.remove(at: position) }
                }
            }
            let lineCount = bytes.split(separator: 0x0a, omittingEmptySubsequences: false).count
            do throws(ConfigErrors) {
                let file = try ConfigFile.parse(bytes, path: "/f.conf")
                var reader = ConfigReader(file, keywords: keywords)
                let queries = SQLQueries(&reader)
                _ = reader.integer("timeout", default: 5, in: 0...3600)
                _ = queries.services
                for problem in reader.problems where problem.line != nil {
                    #expect((1...lineCount).contains(problem.line!), "\(problem)")
                }
            } catch {
                for problem in error.problems {
                    #expect(problem.line != nil && (1...lineCount).contains(problem.line!), "\(problem)")
                }
            }
        }
    }
}
