import Testing
import TableDriver

/// The shared fault scenarios (TableDriver's FaultHarness) for table-redis, through a proxy
/// to the plain test server (database 11, keys of its own): a host name that does not
/// resolve, replies just under and just over the timeout, connections reset.
@Suite(.enabled(if: RedisServers.available)) struct RedisProxyFaultTests {
    static let database = 11

    func runFaultScenario(_ scenario: (FaultHarness) -> FaultReport) throws {
        let report = try faultReport(scenario)
        #expect(report.failures.isEmpty, "\(report)")
    }

    func faultReport(_ scenario: (FaultHarness) -> FaultReport) throws -> FaultReport {
        let port = try #require(RedisServers.port)
        RedisServers.cli(port: port, database: Self.database, ["SET", "alias:fault-a", "first-value"])
        RedisServers.cli(port: port, database: Self.database, ["SET", "alias:fault-b", "second-value"])
        let target = FaultTarget(
            binary: TestEnvironment.binary("table-redis"), serverPort: Int(port) ?? 0,
            probes: [FaultProbe(service: "alias", key: "fault-a", reply: "found|first-value"),
                     FaultProbe(service: "alias", key: "fault-b", reply: "found|second-value")],
            config: { host, port, timeout in
                "master \(host)\nmaster_port \(port)\ndatabase \(Self.database)\ntimeout \(timeout)\n"
            })
        return FaultHarness.run(target, scenario)
    }

    @Test func unresolvableHostAnswersErrorAndKeepsServing() throws {
        try runFaultScenario { $0.unresolvableHost() }
    }

    @Test func repliesJustUnderAndOverTheTimeout() throws {
        try runFaultScenario { $0.slowReplies() }
    }

    @Test func connectionResetByTheNetwork() throws {
        try runFaultScenario { $0.connectionReset() }
    }

    /// The harness itself: a delay past the timeout where it expects a right answer must be
    /// reported (so the scenarios above can fail).
    @Test func harnessReportsAnAnswerThatDidNotCome() throws {
        let report = try faultReport { $0.slowReplies(under: 2.5, over: 2.5) }
        #expect(report.failures.contains { $0.contains("expected \"found|first-value\"") }, "\(report)")
    }
}
