import Testing
import TableDriver

/// The shared fault scenarios (TableDriver's FaultHarness) for table-mysql: a host name
/// that does not resolve, replies delayed by a proxy just under and just over the timeout,
/// connections reset mid-request and while idle. In the serialized suite: the fixture
/// tables are shared.
extension MySQLTests {
    static func faultTarget() -> FaultTarget {
        let name = MySQLServer.value("DATABASE"), user = MySQLServer.value("USER"), password = MySQLServer.password
        return FaultTarget(
            binary: TestEnvironment.binary("table-mysql"), serverPort: Int(MySQLServer.port) ?? 0,
            probes: [FaultProbe(service: "alias", key: "alice@example.org", reply: "found|vmail"),
                     FaultProbe(service: "userinfo", key: "vmail", reply: "found|5000:5000:/var/vmail")],
            config: { host, port, timeout in
                "host \(host)\nport \(port)\nusername \(user)\npassword \(password)\ndatabase \(name)\ntimeout \(timeout)\n"
                    + MySQLFixture.queries + "\n"
            })
    }

    func runFaultScenario(_ scenario: (FaultHarness) -> FaultReport) throws {
        let fixture = try MySQLFixture()  // fresh fixture tables
        defer { fixture.cleanUp() }
        let report = FaultHarness.run(Self.faultTarget(), scenario)
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
