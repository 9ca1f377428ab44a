import Glibc
import Testing
@testable import TableProtocol

@Suite struct LineReaderTests {
    /// Writes `bytes` into a pipe from another thread and reads it back line by line.
    func lines(_ bytes: [UInt8], maximumLength: Int = 16) throws -> [LineReader.Line] {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let writer = WorkerThread {
            try? FileIO.writeAll(fds[1], bytes)
            close(fds[1])
        }
        writer.start()
        defer { close(fds[0]) }
        var reader = LineReader(fd: fds[0], maximumLength: maximumLength)
        var result: [LineReader.Line] = []
        while let line = try reader.next() { result.append(line) }
        writer.join()
        return result
    }

    @Test func splitsOnLFOnly() throws {
        let result = try lines(Array("a\nb\r\n\nlast".utf8))
        #expect(result.map(\.bytes) == [[0x61], [0x62, 0x0d], [], Array("last".utf8)])
        #expect(result.allSatisfy { !$0.truncated })
    }

    @Test func overlongLinesAreCutAndFlagged() throws {
        let long = Array(repeating: UInt8(ascii: "x"), count: 100_000)
        let result = try lines(long + [0x0a] + Array("next\n".utf8))
        #expect(result.count == 2)
        #expect(result[0].truncated)
        #expect(result[0].bytes.count == 16)
        #expect(result[1].bytes == Array("next".utf8))
        #expect(!result[1].truncated)
    }

    @Test func largeInputAcrossManyReads() throws {
        var input: [UInt8] = []
        for index in 0..<20_000 { input += Array("line \(index)\n".utf8) }
        let result = try lines(input, maximumLength: 64)
        #expect(result.count == 20_000)
        #expect(result.last?.bytes == Array("line 19999".utf8))
    }
}
