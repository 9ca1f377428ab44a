#if canImport(Glibc)
import Glibc
#endif

/// Reads LF-terminated lines of bytes from a file descriptor with its own buffer.
///
/// Lines are bytes, never decoded: smtpd forwards whatever a client typed. A line longer than
/// `maximumLength` is cut: its first `maximumLength` bytes are returned with `truncated` set
/// and the rest is skipped up to the next LF, so one hostile line cannot exhaust memory.
package struct LineReader {
    package struct Line: Sendable {
        package var bytes: [UInt8]
        package var truncated: Bool
    }

    package let fd: Int32
    package let maximumLength: Int
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false

    package init(fd: Int32, maximumLength: Int = 16 * 1024) {
        self.fd = fd
        self.maximumLength = maximumLength
        self.buffer = [UInt8](repeating: 0, count: 64 * 1024)
    }

    /// Whether a whole line is already buffered, so `next()` will not block.
    package var hasBufferedLine: Bool {
        newline(from: start) != nil
    }

    /// The index of the first LF in the buffered bytes from `index` on, found with
    /// memchr(3) (glibc's vectorized search), or nil.
    private func newline(from index: Int) -> Int? {
        guard index < end else { return nil }
        return buffer.withUnsafeBytes { raw in
            memchr(raw.baseAddress! + index, 0x0A, end - index).map { UnsafeRawPointer($0) - raw.baseAddress! }
        }
    }

    /// Calls `body` with the next line (without its LF) and whether it was cut, and returns
    /// what `body` returns; nil at end of input.
    ///
    /// A line that is whole in the buffer (nearly every one: smtpd's requests are short) is
    /// handed over in place, so reading a request copies and allocates nothing; any other
    /// line is assembled by `next()` first. The bytes are valid only during the call.
    package mutating func withNextLine<R>(_ body: (UnsafeBufferPointer<UInt8>, _ truncated: Bool) -> R) throws(SystemError) -> R? {
        while true {
            if let stop = newline(from: start), stop - start <= maximumLength {
                let lineStart = start
                start = stop + 1
                return buffer.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[lineStart..<stop]), false) }
            }
            // Part of a line is buffered, or the input ended: `next()` handles both.
            if start < end || atEOF { break }
            // Nothing buffered (the usual case between two requests): read more first.
            try fill()
        }
        guard let line = try next() else { return nil }
        return line.bytes.withUnsafeBufferPointer { body($0, line.truncated) }
    }

    /// The next line, or nil at end of input. A final line without LF is returned too.
    package mutating func next() throws(SystemError) -> Line? {
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
        let n = buffer.withUnsafeMutableBytes { buffer in retryingOnInterrupt { read(fd, buffer.baseAddress, buffer.count) } }
        if n > 0 { end = n; return }
        if n == 0 { atEOF = true; return }
        throw SystemError("read")
    }
}
