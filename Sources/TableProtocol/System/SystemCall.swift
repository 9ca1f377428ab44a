#if canImport(Glibc)
import Glibc
#endif

/// Makes a system call again while it fails with EINTR (a signal arrived before it could do
/// anything), as swift-system's `retryOnInterrupt` does, and returns its last result. `errno`
/// is left as that call set it, for the caller to read when the result is negative.
///
/// Every read, write, send and recv in the shipped code goes through here, so that a signal
/// can never turn into a failed request. (Waits with a deadline use `SocketWait`, which
/// recomputes the time left after an interruption instead.)
@inlinable
package func retryingOnInterrupt<Result: BinaryInteger>(_ call: () -> Result) -> Result {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}
