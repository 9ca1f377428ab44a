#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock: for deadlines, latencies and "answered within timeout + 1 s"
/// bounds in the driver, the benchmark and the tests.
public func monotonicNow() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Seconds a piece of test code took, on the monotonic clock (fault tests bound answers by
/// "the timeout plus one second").
public func measureSeconds<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double) {
    let start = monotonicNow()
    let result = try body()
    return (result, monotonicNow() - start)
}
