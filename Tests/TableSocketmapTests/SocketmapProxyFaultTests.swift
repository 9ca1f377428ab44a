import Testing
import TableDriver
import TableTestSupport

/// The shared network fault scenarios (FaultScenario) for table-socketmap, netstrings over
/// TCP through a proxy to the test server: a host name that does not resolve, replies just
/// under and just over the timeout, connections reset.
@Suite(.enabled(if: SocketmapServers.available)) struct SocketmapProxyFaultTests {
    @Test(arguments: FaultScenario.allCases) func networkFault(_ scenario: FaultScenario) throws {
        let port = try #require(SocketmapServers.netstringPort.flatMap { Int($0) })
        scenario.expectPromisesKept(FaultTarget(
            binary: SocketmapFixture.binary, serverPort: port,
            probes: [FaultProbe(service: "alias", key: "root", reply: "found|alice, bob"),
                     FaultProbe(service: "alias", key: "alice@example.org", reply: "found|alice")],
            config: { host, port, timeout in "socket inet:\(host):\(port)\nprotocol netstring\ntimeout \(timeout)\n" }))
    }
}
