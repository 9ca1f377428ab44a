#if canImport(Glibc)
import Glibc
#endif

/// `poll(2)` on one socket until it is ready or a deadline passes: how every backend that
/// drives a socket itself (libpq's, the socketmap stream) waits, never longer than the
/// request's deadline.
package enum SocketWait {
    /// True when the socket is ready for `events` (or has an error or hangup to report,
    /// which the next call on it reads); false when the deadline passed first, or for an
    /// invalid socket. `failure` receives errno when poll itself failed.
    package static func wait(_ socket: Int32, for events: Int16, until deadline: Deadline) -> Bool {
        guard socket >= 0 else { return false }
        while true {
            // The time left is worked out again after every wakeup, an interruption by a
            // signal (EINTR) included, so the wait never outlasts the deadline.
            let remaining = deadline.remaining
            guard remaining > 0 else { return false }
            var entry = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&entry, 1, Int32(min(remaining * 1000, 3_600_000).rounded(.up)))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return false }
        }
    }
}
