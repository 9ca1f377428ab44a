/// Feeds a running table generated hostile lines and checks what smtpd relies on: every line
/// with a recoverable id gets exactly one reply smtpd can parse, nothing else is written,
/// and the table keeps answering.
package enum ProtocolFuzz {
    package struct Report: Sendable {
        package var lines = 0
        package var replies = 0
        package var failures: [String] = []
    }

    /// - Parameters:
    ///   - expectedReply: for one line (without LF), the op and id its reply must carry, or nil
    ///     when the line has no recoverable id (the test passes the parser's own verdict,
    ///     which the parser's unit tests check separately).
    ///   - isParsable: whether a reply line (with LF) is one smtpd accepts for that op and id.
    package static func run(_ table: TableProcess, iterations: Int, seed: UInt64, batch: Int = 100,
                           expectedReply: ([UInt8]) -> (operation: String, id: String)?,
                           isParsable: ([UInt8], String, String) -> Bool) throws -> Report {
        var fuzzer = RequestFuzzer(seed: seed)
        var report = Report()
        var sent = 0
        while sent < iterations {
            var outstanding: [String: [String]] = [:]  // id -> ops expected
            var expectedCount = 0
            var payload: [UInt8] = []
            for _ in 0..<min(batch, iterations - sent) {
                let line = fuzzer.line(id: String(sent, radix: 16))
                sent += 1
                payload += line + [0x0A]
                for piece in line.split(separator: 0x0A, omittingEmptySubsequences: false) {
                    report.lines += 1
                    if let reply = expectedReply(Array(piece)) {
                        outstanding[reply.id, default: []].append(reply.operation)
                        expectedCount += 1
                    }
                }
            }
            try table.send(payload)
            for _ in 0..<expectedCount {
                guard let reply = try table.readLineBytes(timeout: 10) else {
                    report.failures.append("table closed its output")
                    return report
                }
                report.replies += 1
                let fields = reply.split(separator: UInt8(ascii: "|"), maxSplits: 2, omittingEmptySubsequences: false)
                let operation = fields.first.map { String(decoding: $0.dropLast("-result".count), as: UTF8.self) } ?? ""
                let id = fields.count > 1 ? String(decoding: fields[1], as: UTF8.self) : ""
                guard var operations = outstanding[id], let index = operations.firstIndex(of: operation) else {
                    report.failures.append("unexpected reply: \(String(decoding: reply.prefix(200), as: UTF8.self))")
                    continue
                }
                operations.remove(at: index)
                outstanding[id] = operations.isEmpty ? nil : operations
                if !isParsable(reply + [0x0A], operation, id) {
                    report.failures.append("unparsable reply: \(String(decoding: reply.prefix(200), as: UTF8.self))")
                }
            }
            if report.failures.count > 20 { return report }
        }
        // Nothing more may come: a probe request must be the very next reply.
        let probe = try table.request("check", "domain", key: "probe", timeout: 10)
        if !(probe == "found" || probe == "not-found" || probe.hasPrefix("error")) {
            report.failures.append("probe answered \(probe)")
        }
        return report
    }
}
