#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock, for timeouts, backoff and cache expiry: never the wall
/// clock, which an administrator or NTP may set back.
package func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// The moment by which a request must be answered, on the monotonic clock.
///
/// Each request gets one deadline when it starts (`TableBackend.requestTimeout` from now),
/// and every step it takes — connecting, TLS, binding, sending, each wait for the reply, a
/// second attempt on a new connection — is bounded by what is left of it, so that however
/// many steps a request takes, smtpd waits at most the timeout.
package struct Deadline: Sendable, Comparable {
    /// Monotonic seconds (`monotonicSeconds()`); infinity for no deadline.
    package var time: Double

    package init(time: Double) { self.time = time }

    /// `seconds` from now.
    package static func after(_ seconds: Double) -> Deadline {
        Deadline(time: monotonicSeconds() + seconds)
    }

    /// For requests that wait on nothing but local files (table-sqlite, table-passwd).
    package static var never: Deadline { Deadline(time: .infinity) }

    /// The deadline of a request starting now: `timeout` seconds away, or never for a
    /// backend without one (`TableBackend.requestTimeout`). The clock is only read when
    /// there is a timeout.
    package init(timeout: Double?) {
        self = timeout.map(Deadline.after) ?? .never
    }

    /// Seconds left, negative once passed.
    package var remaining: Double { time - monotonicSeconds() }

    package var hasPassed: Bool { remaining <= 0 }

    package static func < (a: Deadline, b: Deadline) -> Bool { a.time < b.time }
}
