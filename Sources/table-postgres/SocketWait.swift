#if canImport(Glibc)
import Glibc
#endif
import TableProtocol

/// `poll(2)` on one socket until it is ready or a deadline on the monotonic clock passes.
enum SocketWait {
    /// True when the socket is ready for `events` (or has an error or hangup to report,
    /// which the next libpq call reads); false at the deadline or for an invalid socket.
    static func wait(_ socket: Int32, for events: Int16, until deadline: Double) -> Bool {
        guard socket >= 0 else { return false }
        while true {
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else { return false }
            var entry = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&entry, 1, Int32(min(remaining * 1000, 3_600_000).rounded(.up)))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return false }
        }
    }
}
