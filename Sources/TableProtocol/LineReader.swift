#if canImport(Glibc)
import Glibc
#endif

/// Reads LF-terminated lines of bytes from a file descriptor with its own buffer.
///
/// Lines are bytes, never decoded: smtpd forwards whatever a client typed. A line longer than
/// `maximumLength` is cut: its first `maximumLength` bytes are returned with `truncated` set
/// and the rest is skipped up to the next LF, so one hostile line cannot exhaust memory.
public struct LineReader {
    public struct Line: Sendable {
        public var bytes: [UInt8]
        public var truncated: Bool
    }

    public let fd: Int32
    public let maximumLength: Int
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false

    public init(fd: Int32, maximumLength: Int = 16 * 1024) {
        self.fd = fd
        self.maximumLength = maximumLength
        self.buffer = [UInt8](repeating: 0, count: 64 * 1024)
    }

    /// Whether a whole line is already buffered, so `next()` will not block.
    public var hasBufferedLine: Bool {
        start < end && buffer[start..<end].contains(0x0A)
    }

    /// The next line, or nil at end of input. A final line without LF is returned too.
    public mutating func next() throws(SystemError) -> Line? {
        var line: [UInt8] = []
        var truncated = false
        while true {
            if start < end {
                let newline = buffer[start..<end].firstIndex(of: 0x0A)
                let stop = newline ?? end
                let room = maximumLength - line.count
                if room > 0 {
                    line.append(contentsOf: buffer[start..<min(stop, start + room)])
                }
                if stop - start > room { truncated = true }
                start = stop
                if newline != nil {
                    start += 1
                    return Line(bytes: line, truncated: truncated)
                }
            }
            if atEOF {
                return line.isEmpty && !truncated ? nil : Line(bytes: line, truncated: truncated)
            }
            try fill()
        }
    }

    private mutating func fill() throws(SystemError) {
        start = 0
        end = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { end = n; return }
            if n == 0 { atEOF = true; return }
            if errno == EINTR { continue }
            throw SystemError("read")
        }
    }
}
