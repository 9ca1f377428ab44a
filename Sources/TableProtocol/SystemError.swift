#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: the C function's name and the `errno` it left.
///
/// Like swift-system's `Errno`, the error is a value, so callers can match on the code
/// (`EINTR`, `EPIPE`, ...) instead of parsing a message.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public var function: String
    public var code: Int32

    public init(_ function: String, code: Int32 = errno) {
        self.function = function
        self.code = code
    }

    public var description: String {
        "\(function): \(String(cString: strerror(code)))"
    }

    /// The message of `strerror(3)` alone, for messages that name the file themselves.
    public var reason: String { String(cString: strerror(code)) }
}

/// Small EINTR- and short-write-safe wrappers over the file-descriptor calls we use.
public enum FileIO {
    /// Writes all of `bytes` to `fd` with `write(2)`, retrying on EINTR and short writes.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write")
            }
            offset += n
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        let result: Result<Void, SystemError> = bytes.withUnsafeBytes { buffer in
            do throws(SystemError) {
                try writeAll(fd, buffer)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Reads a whole file into memory. Files we read are config and passwd files: small.
    public static func readFile(_ path: String, limit: Int = 64 << 20) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SystemError("open") }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read")
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
            if result.count > limit { throw SystemError("read", code: EFBIG) }
        }
        return result
    }
}
