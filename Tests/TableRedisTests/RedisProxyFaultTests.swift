import Testing
import TableDriver
import TableTestSupport

/// The shared network fault scenarios (FaultScenario) for table-redis, through a proxy to the
/// plain test server (database 11, keys of its own): a host name that does not resolve,
/// replies just under and just over the timeout, connections reset.
@Suite(.enabled(if: RedisServers.available)) struct RedisProxyFaultTests {
    static let database = 11

    /// The plain server with the two probes' keys set.
    func target() throws -> FaultTarget {
        let port = try #require(RedisServers.port)
        RedisServers.cli(port: port, database: Self.database, ["SET", "alias:fault-a", "first-value"])
        RedisServers.cli(port: port, database: Self.database, ["SET", "alias:fault-b", "second-value"])
        return FaultTarget(
            binary: RedisFixture.binary, serverPort: Int(port) ?? 0,
            probes: [FaultProbe(service: "alias", key: "fault-a", reply: "found|first-value"),
                     FaultProbe(service: "alias", key: "fault-b", reply: "found|second-value")],
            config: { host, port, timeout in "master \(host)\nmaster_port \(port)\ndatabase \(Self.database)\ntimeout \(timeout)\n" })
    }

    @Test(arguments: FaultScenario.allCases) func networkFault(_ scenario: FaultScenario) throws {
        scenario.expectPromisesKept(try target())
    }

    /// The harness itself: a delay past the timeout where it expects a right answer must be
    /// reported (so the scenarios above can fail).
    @Test func harnessReportsAnAnswerThatDidNotCome() throws {
        let report = FaultHarness.run(try target()) { $0.slowReplies(under: 2.5, over: 2.5) }
        #expect(report.failures.contains { $0.contains("expected \"found|first-value\"") }, "\(report)")
    }
}
