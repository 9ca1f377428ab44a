import Testing
import TableDriver
import TableTestSupport

/// The shared network fault scenarios (FaultScenario) for table-ldap, through a proxy to the
/// shared slapd: a host name that does not resolve, replies just under and just over the
/// timeout, connections reset mid-request and while idle.
@Suite(.enabled(if: SlapdServer.available)) struct LDAPProxyFaultTests {
    @Test(arguments: FaultScenario.allCases) func networkFault(_ scenario: FaultScenario) throws {
        let server = try #require(SlapdServer.shared)
        // The port of the shared server's ldap:// URL (ldap://127.0.0.1:PORT/).
        let port = try #require(Int(server.url.split(separator: ":").last?.filter(\.isNumber) ?? ""))
        let baseDN = server.baseDN
        scenario.expectPromisesKept(FaultTarget(
            binary: LDAPFixture.binary, serverPort: port,
            probes: [FaultProbe(service: "userinfo", key: "alice", reply: "found|5001:5000:/var/vmail/alice"),
                     FaultProbe(service: "alias", key: "abuse", reply: "found|alice@example.org")],
            config: { host, port, timeout in
                "url ldap://\(host):\(port)/\nbasedn \(baseDN)\n" + LDAPFixture.bind + "timeout \(timeout)\n" + LDAPFixture.services + "\n"
            }))
    }
}
