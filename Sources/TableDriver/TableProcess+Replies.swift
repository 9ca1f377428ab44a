#if canImport(Glibc)
import Glibc
#endif

extension TableProcess {
    /// Sends every request at once (pipelined) and returns the replies in request order,
    /// matched by id: what follows `<op>-result|<id>|`. Throws on a reply with an unknown or
    /// repeated id, or whose `<op>-result` is not its request's.
    package func pipeline(_ requests: [(operation: String, service: String, key: String)], timeout: Double = 10) throws -> [String] {
        var ids: [String] = []
        var operations: [String: String] = [:]
        var batch: [UInt8] = []
        for request in requests {
            let id = makeID()
            ids.append(id)
            operations[id] = request.operation
            batch += requestLine(request.operation, service: request.service, id: id, key: Array(request.key.utf8)) + [0x0A]
        }
        try send(batch)
        var replies: [String: String] = [:]
        for _ in requests {
            guard let line = try readLine(timeout: timeout) else { throw DriverError("end of input during a pipeline") }
            let fields = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3, let operation = operations[fields[1]], fields[0] == "\(operation)-result",
                  replies[fields[1]] == nil else {
                throw DriverError("unexpected reply: \(line)")
            }
            replies[fields[1]] = fields[2]
        }
        return ids.map { replies[$0]! }
    }

    /// Repeats a request until its reply satisfies `done` or `timeout` seconds pass; returns
    /// every reply seen, in order (fault tests check that none of them is wrong).
    package func requestUntil(_ operation: String, _ service: String, key: String, timeout: Double,
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
