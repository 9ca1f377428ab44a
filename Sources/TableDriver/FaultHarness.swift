#if canImport(Glibc)
import Glibc
#endif

/// One request of a fault scenario and the only right answer to it when the server works.
/// Scenarios use two probes with different values, so that a reply meant for one request
/// and delivered to the next is caught.
package struct FaultProbe: Sendable {
    package var service: String
    package var key: String
    /// What follows `lookup-result|<id>|`, e.g. `found|vmail`.
    package var reply: String

    package init(service: String, key: String, reply: String) {
        self.service = service
        self.key = key
        self.reply = reply
    }
}

/// A network backend as the shared fault scenarios see it: its binary, a config reaching a
/// given host and port with a given timeout, and two probes its real server answers.
package struct FaultTarget: Sendable {
    package var binary: String
    /// The real server's TCP port on 127.0.0.1.
    package var serverPort: Int
    package var probes: [FaultProbe]
    /// The config file text for a server at `host`:`port` and a `timeout` in seconds.
    package var config: @Sendable (_ host: String, _ port: Int, _ timeout: Int) -> String

    package init(binary: String, serverPort: Int, probes: [FaultProbe],
                config: @escaping @Sendable (_ host: String, _ port: Int, _ timeout: Int) -> String) {
        self.binary = binary
        self.serverPort = serverPort
        self.probes = probes
        self.config = config
    }
}

/// The scenarios of `FaultHarness`, by name: what a parameterized test runs on each backend.
package enum FaultScenario: String, CaseIterable, Sendable {
    case unresolvableHost, slowReplies, connectionReset

    /// Runs this scenario on a fresh harness for `target` (see `FaultHarness.run`).
    package func run(on target: FaultTarget) -> FaultReport {
        FaultHarness.run(target) { harness in
            switch self {
            case .unresolvableHost: harness.unresolvableHost()
            case .slowReplies: harness.slowReplies()
            case .connectionReset: harness.connectionReset()
            }
        }
    }
}

/// What a scenario saw: every broken promise, in words (empty when all went well), and the
/// measured times worth recording.
package struct FaultReport: Sendable, CustomStringConvertible {
    package var failures: [String] = []
    package var notes: [String] = []
    package var description: String { (failures + notes).joined(separator: "\n") }
}

/// The fault scenarios every network backend must pass, because smtpd waits on the table for
/// every lookup of a session: a server name that does not resolve, replies just under and
/// just over the timeout, and connections reset mid-request or while idle. Each scenario runs the backend as smtpd does, one request at a time, and
/// checks that every request gets exactly one reply, for its own id, that is either its own
/// right answer or `error`, within the timeout + 1 s, and that service comes back within 2 s.
package struct FaultHarness {
    package let target: FaultTarget
    /// The timeout written into the configs (seconds).
    package let timeout: Int
    private let directory: String

    package init(_ target: FaultTarget, timeout: Int = 2) {
        self.target = target
        self.timeout = timeout
        directory = TestEnvironment.makeTemporaryDirectory("fault-harness")
    }

    package func cleanUp() { TestEnvironment.run(["rm", "-rf", directory]) }

    /// Runs one scenario on a new harness for `target`, removes its files, and prints the
    /// measured times (they are recorded in docs/robustness.md). The caller asserts on the
    /// report.
    package static func run(_ target: FaultTarget, _ scenario: (FaultHarness) -> FaultReport) -> FaultReport {
        let harness = FaultHarness(target)
        defer { harness.cleanUp() }
        let report = scenario(harness)
        print("fault harness, \(target.binary.split(separator: "/").last!): \(report.notes.joined(separator: "; "))")
        return report
    }

    private var configPath: String { "\(directory)/table.conf" }
    private var bound: Double { Double(timeout) + 1 }

    /// (a) The server's host name does not resolve: every request answers `error` within the
    /// bound, the table stays up, and an `update` to a good name brings service back.
    package func unresolvableHost() -> FaultReport {
        var run = Run(self)
        do {
            let table = try run.start(host: "nonexistent.invalid", port: target.serverPort)
            for index in 0..<3 {
                let seconds = run.ask(table, target.probes[index % 2], allowing: .errorOnly, label: "unresolvable host")
                run.note("unresolvable host: error in \(format(seconds)) s")
            }
            try TestEnvironment.write(target.config("127.0.0.1", target.serverPort, timeout), to: configPath, mode: 0o600)
            let update = try table.request("update", timeout: bound + 5)
            if update != "ok" { run.fail("update to a good host answered \(update)") }
            for probe in target.probes {
                run.ask(table, probe, allowing: .answerOnly, label: "after the update")
            }
            run.finish(table)
        } catch {
            run.fail("\(error)")
        }
        return run.report
    }

    /// (b) Replies held back by the proxy: just under the timeout they are answered right,
    /// just over it `error` within the bound; the late reply must never become the answer
    /// to the next request, and service is back within 2 s once the delay goes.
    package func slowReplies(under: Double? = nil, over: Double? = nil) -> FaultReport {
        var run = Run(self)
        let under = under ?? Double(timeout) * 0.6
        let over = over ?? Double(timeout) + 0.5
        do {
            let proxy = try FaultProxy(targetPort: target.serverPort)
            defer { proxy.stop() }
            let table = try run.start(host: "127.0.0.1", port: proxy.port)
            for probe in target.probes { run.ask(table, probe, allowing: .answerOnly, label: "before any delay") }
            proxy.replyDelay = under
            for probe in target.probes {
                let seconds = run.ask(table, probe, allowing: .answerOnly, label: "reply \(under) s late, timeout \(timeout) s")
                run.note("reply \(under) s late: answered in \(format(seconds)) s")
            }
            proxy.replyDelay = over
            let late = run.ask(table, target.probes[0], allowing: .errorOnly, label: "reply \(over) s late, timeout \(timeout) s")
            run.note("reply \(over) s late: error in \(format(late)) s")
            proxy.replyDelay = 0
            // The other probe: its answer must be its own, not the late reply to the first.
            run.recover(table, from: 1, label: "after a late reply")
            run.finish(table)
        } catch {
            run.fail("\(error)")
        }
        return run.report
    }

    /// (c) Connections reset by the proxy: in the middle of a request (instead of the
    /// server's reply) and while idle between requests. The request answers `error` or its
    /// right answer, never another; service is back within 2 s.
    package func connectionReset() -> FaultReport {
        var run = Run(self)
        do {
            let proxy = try FaultProxy(targetPort: target.serverPort)
            defer { proxy.stop() }
            let table = try run.start(host: "127.0.0.1", port: proxy.port)
            for probe in target.probes { run.ask(table, probe, allowing: .answerOnly, label: "before any reset") }
            for (round, probe) in target.probes.enumerated() {
                proxy.resetNextReply()
                let seconds = run.ask(table, probe, allowing: .answerOrError, label: "reset mid-request")
                run.note("reset mid-request: \(run.lastReply.hasPrefix("error|") ? "error" : "right answer") in \(format(seconds)) s")
                run.recover(table, from: 1 - round, label: "after a reset mid-request")
            }
            proxy.resetOpenConnections()
            usleep(100_000)
            run.ask(table, target.probes[0], allowing: .answerOrError, label: "after an idle reset")
            run.recover(table, from: 1, label: "after an idle reset")
            run.note("connections accepted by the proxy: \(proxy.acceptedConnections)")
            run.finish(table)
        } catch {
            run.fail("\(error)")
        }
        return run.report
    }

    /// The state of one scenario run: its table process, config file and report.
    private struct Run {
        enum Allowed { case answerOnly, errorOnly, answerOrError }

        let harness: FaultHarness
        var report = FaultReport()
        /// The reply to the last `ask`.
        var lastReply = ""

        init(_ harness: FaultHarness) { self.harness = harness }

        mutating func fail(_ text: String) { report.failures.append(text) }
        mutating func note(_ text: String) { report.notes.append(text) }

        func start(host: String, port: Int) throws -> TableProcess {
            let target = harness.target
            try TestEnvironment.write(target.config(host, port, harness.timeout), to: harness.configPath, mode: 0o600)
            let table = try TableProcess(executable: target.binary, tableName: "fault", arguments: [harness.configPath],
                                         stderrPath: "\(harness.directory)/stderr.log")
            _ = try table.handshake()
            return table
        }

        /// Sends one lookup and checks its one reply: for this id (else `request` throws),
        /// allowed by `allowing`, within the bound. Returns the seconds it took.
        @discardableResult
        mutating func ask(_ table: TableProcess, _ probe: FaultProbe, allowing: Allowed, label: String) -> Double {
            do {
                let (reply, seconds) = try measureSeconds {
                    try table.request("lookup", probe.service, key: probe.key, timeout: harness.bound + 5)
                }
                lastReply = reply
                let isError = reply.hasPrefix("error|")
                switch allowing {
                case .answerOnly where reply != probe.reply,
                     .errorOnly where !isError,
                     .answerOrError where reply != probe.reply && !isError:
                    fail("\(label): \(probe.service) \(probe.key) answered \"\(reply)\", expected \(allowing == .errorOnly ? "an error" : "\"\(probe.reply)\"")")
                default: break
                }
                if seconds > harness.bound {
                    fail("\(label): answered after \(format(seconds)) s, more than the timeout + 1 s")
                }
                return seconds
            } catch {
                fail("\(label): \(error)")
                return .infinity
            }
        }

        /// Asks the probes in turn, starting with `from`, until one gets its right answer;
        /// every reply on the way must be right or `error`, and the right one must come
        /// within 2 s (plus the time the failing requests took to answer).
        mutating func recover(_ table: TableProcess, from first: Int, label: String) {
            let probes = harness.target.probes
            var waited = 0.0
            var index = first
            while true {
                let probe = probes[index % probes.count]
                index += 1
                do {
                    let (reply, seconds) = try measureSeconds {
                        try table.request("lookup", probe.service, key: probe.key, timeout: harness.bound + 5)
                    }
                    if reply == probe.reply {
                        note("\(label): served again after \(format(waited)) s of errors")
                        return
                    }
                    guard reply.hasPrefix("error|") else {
                        fail("\(label): \(probe.service) \(probe.key) answered \"\(reply)\", expected \"\(probe.reply)\" or an error")
                        return
                    }
                    if seconds > harness.bound { fail("\(label): an error took \(format(seconds)) s") }
                    waited += 0.1
                    if waited > 2 {
                        fail("\(label): not served again within 2 s (last reply \"\(reply)\")")
                        return
                    }
                    usleep(100_000)
                } catch {
                    fail("\(label): \(error)")
                    return
                }
            }
        }

        /// No reply beyond the one per request, then end of input: the table exits 0.
        mutating func finish(_ table: TableProcess) {
            if let extra = try? table.readLine(timeout: 0.3) {
                fail("a reply no request was waiting for: \(extra)")
            }
            table.closeInput()
            let status = table.wait(timeout: harness.bound + 5)
            if status != 0 { fail("exit status at end of input: \(status.map(String.init) ?? "still running")") }
        }
    }
}

private func format(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "∞" }
    return String(Double(Int(seconds * 100)) / 100)
}
