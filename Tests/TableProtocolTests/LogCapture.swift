#if canImport(Glibc)
import Glibc
#endif
@testable import TableProtocol

/// A logger writing to a pipe, and what it wrote: for the tests of what a table logs.
final class LogCapture {
    let logger: Logger
    private let readEnd: Int32

    init() {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        readEnd = fds[0]
        logger = Logger(program: "table-test", table: "t", fd: fds[1])
    }

    func text() -> String {
        var bytes = [UInt8](repeating: 0, count: 65536)
        let n = read(readEnd, &bytes, bytes.count)
        return n > 0 ? String(decoding: bytes[0..<n], as: UTF8.self) : ""
    }
}
