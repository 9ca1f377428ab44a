import Testing
import TableDriver
import TableProtocol
@testable import table_passwd

/// Random and mutated passwd files never crash the loader; every problem names a line.
@Suite struct PasswdFileFuzzTests {
    @Test func mutatedFilesLoadOrFailWithLines() {
        var fuzzer = RequestFuzzer(seed: 99)
        let logger = Logger(program: "table-passwd", table: "fuzz", minimumLevel: .error)
        let seed = Array("alice:$2b$08$abc:1000:1000:A:/home/a:/bin/sh\nbob@x.org:{PLAIN}p:5:5::/h::extra\n# c\n".utf8)
        for round in 0..<20_000 {
            var bytes = seed
            if round % 10 == 0 {
                bytes = (0..<fuzzer.below(3000)).map { _ in UInt8(truncatingIfNeeded: fuzzer.next()) }
            } else {
                for _ in 0..<(1 + fuzzer.below(6)) {
                    let position = fuzzer.below(bytes.count + 1)
                    let byte: UInt8 = [0x0a, 0x3a, 0x23, 0x0d, 0x00, 0x41, 0x7b, 0xff][fuzzer.below(8)]
                    if fuzzer.below(2) == 0, position < bytes.count { bytes[position] = byte } else { bytes.insert(byte, at: position) }
                }
            }
            let lineCount = bytes.split(separator: 0x0a, omittingEmptySubsequences: false).count
            do {
                let file = try PasswdFile.parse(bytes, path: "/p", logger: logger)
                for entry in file.users.values {
                    #expect(!entry.name.isEmpty)
                    _ = entry.credentials()
                    _ = entry.userInfo()
                }
            } catch {
                for problem in error.problems {
                    #expect(problem.line != nil && (1...lineCount).contains(problem.line!), "\(problem)")
                }
            }
        }
    }
}
