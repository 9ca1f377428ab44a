#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: the C function's name and the `errno` it left.
///
/// Like swift-system's `Errno`, the error is a value, so callers can match on the code
/// (`EINTR`, `EPIPE`, ...) instead of parsing a message.
package struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    package var function: String
    package var code: Int32

    package init(_ function: String, code: Int32 = errno) {
        self.function = function
        self.code = code
    }

    package var description: String {
        "\(function): \(String(cString: strerror(code)))"
    }

    /// The message of `strerror(3)` alone, for messages that name the file themselves.
    package var reason: String { String(cString: strerror(code)) }
}
