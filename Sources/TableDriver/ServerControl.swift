#if canImport(Glibc)
import Glibc
#endif

/// A test server started by `scripts/servers/NAME.sh`, driven through the same script by the
/// fault tests: `halt` (stop, keeping the data), `resume`, `freeze` (SIGSTOP), `thaw`.
public struct ServerControl: Sendable {
    /// Absolute path of the server script (its `.env` file names it).
    public let script: String

    public init(script: String) { self.script = script }

    /// The script named by an environment variable (e.g. `POSTGRES_TEST_CONTROL`), if set.
    public init?(environmentVariable: String) {
        guard let script = TestEnvironment.variable(environmentVariable) else { return nil }
        self.script = script
    }

    public func halt() throws { try control("halt") }
    public func resume() throws { try control("resume") }
    public func freeze() throws { try control("freeze") }
    public func thaw() throws { try control("thaw") }

    private func control(_ action: String) throws {
        let status = TestEnvironment.run(["bash", script, action])
        guard status == 0 else { throw DriverError("\(script) \(action) failed with status \(status)") }
    }
}

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

extension TableProcess {
    /// Sends every request at once (pipelined) and returns the replies in request order,
    /// matched by id: what follows `<op>-result|<id>|`. Throws on a reply with an unknown or
    /// repeated id.
    public func pipeline(_ requests: [(operation: String, service: String, key: String)], timeout: Double = 10) throws -> [String] {
        var ids: [String] = []
        var batch: [UInt8] = []
        for request in requests {
            let id = makeID()
            ids.append(id)
            batch += requestLine(request.operation, service: request.service, id: id, key: Array(request.key.utf8)) + [0x0A]
        }
        try send(batch)
        var replies: [String: String] = [:]
        for _ in requests {
            guard let line = try readLine(timeout: timeout) else { throw DriverError("end of input during a pipeline") }
            let fields = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3, ids.contains(fields[1]), replies[fields[1]] == nil else {
                throw DriverError("unexpected reply: \(line)")
            }
            replies[fields[1]] = fields[2]
        }
        return ids.map { replies[$0]! }
    }

    /// Repeats a request until its reply satisfies `done` or `timeout` seconds pass; returns
    /// every reply seen, in order (fault tests check that none of them is wrong).
    public func requestUntil(_ operation: String, _ service: String, key: String, timeout: Double,
                             done: (String) -> Bool) throws -> [String] {
        var replies: [String] = []
        var elapsed = 0.0
        while elapsed < timeout {
            let (reply, seconds) = try measureSeconds { try request(operation, service, key: key, timeout: timeout + 5) }
            replies.append(reply)
            if done(reply) { break }
            usleep(50_000)
            elapsed += seconds + 0.05
        }
        return replies
    }
}
