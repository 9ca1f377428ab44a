/// Seconds on the standard library's ContinuousClock, counted from the driver's first reading:
/// for deadlines, latencies and "answered within the timeout + 1 s" bounds in the driver,
/// the benchmark and the tests. Monotonic, so a wall clock set back cannot make a deadline
/// pass late or a latency negative; only differences between two readings mean anything.
package func monotonicNow() -> Double {
    driverEpoch.duration(to: .now).seconds
}

/// What `monotonicNow` counts from: the first time anything asks for it.
private let driverEpoch = ContinuousClock.now

/// Seconds a piece of test code took, on the same clock (fault tests bound answers by "the
/// timeout plus one second").
package func measureSeconds<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double) {
    var result: T?
    let elapsed = try ContinuousClock().measure { result = try body() }
    return (result!, elapsed.seconds)
}

extension Duration {
    /// This duration in seconds.
    package var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
