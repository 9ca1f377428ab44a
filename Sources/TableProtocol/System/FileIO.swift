#if canImport(Glibc)
import Glibc
#endif

/// Short-write-safe wrappers over the file-descriptor calls the server and the config
/// loaders make; each call goes through `retryingOnInterrupt`.
package enum FileIO {
    /// Writes all of `bytes` to `fd` with `write(2)`, however many calls that takes.
    package static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = retryingOnInterrupt { write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
            if n < 0 { throw SystemError("write") }
            offset += n
        }
    }

    package static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        // Returned rather than thrown from the closure: Swift 6.0 cannot carry a typed
        // throw through withUnsafeBytes.
        let failure: SystemError? = bytes.withUnsafeBytes { buffer in
            do throws(SystemError) {
                try writeAll(fd, buffer)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Reads a whole file into memory. Files we read are config and passwd files: small.
    package static func readFile(_ path: String, limit: Int = 64 << 20) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SystemError("open") }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { buffer in retryingOnInterrupt { read(fd, buffer.baseAddress, buffer.count) } }
            if n < 0 { throw SystemError("read") }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
            if result.count > limit { throw SystemError("read", code: EFBIG) }
        }
        return result
    }
}
