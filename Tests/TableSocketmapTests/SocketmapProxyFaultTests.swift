import Testing
import TableDriver

/// The shared fault scenarios (TableDriver's FaultHarness) for table-socketmap, netstrings
/// over TCP through a proxy to the test server: a host name that does not resolve, replies
/// just under and just over the timeout, connections reset.
@Suite(.enabled(if: SocketmapServers.available)) struct SocketmapProxyFaultTests {
    func runFaultScenario(_ scenario: (FaultHarness) -> FaultReport) throws {
        let port = try #require(SocketmapServers.netstringPort)
        let target = FaultTarget(
            binary: TestEnvironment.binary("table-socketmap"), serverPort: Int(port) ?? 0,
            probes: [FaultProbe(service: "alias", key: "root", reply: "found|alice, bob"),
                     FaultProbe(service: "alias", key: "alice@example.org", reply: "found|alice")],
            config: { host, port, timeout in
                "socket inet:\(host):\(port)\nprotocol netstring\ntimeout \(timeout)\n"
            })
        let report = FaultHarness.run(target, scenario)
        #expect(report.failures.isEmpty, "\(report)")
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
}
