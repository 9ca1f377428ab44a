import Testing
import TableDriver
import TableTestSupport

/// The map server restarted, closing connections, frozen and slow, on the server kept for
/// these tests: the shared ServerFaultChecks, and the faults of a map server. Serialized:
/// they restart and freeze it, and always restore it.
@Suite(.serialized, .enabled(if: SocketmapServers.faultAvailable)) struct SocketmapFaultTests {
    typealias Checks = ServerFaultChecks<SocketmapFixture>

    /// Upstream failed this and every later request until smtpd restarted.
    @Test func serverRestartedMidRun() throws {
        try Checks.serverRestartedMidRunLosesNoRequest { table throws in
            #expect(try table.request("lookup", "alias", key: "nobody") == "not-found")
        }
    }

    @Test func serverClosingTheConnectionIsNotAFailureForTheNextRequest() throws {
        try SocketmapFixture.withEachTableOnFaultServer { table throws in
            #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
            // "close": the server hangs up without a reply, even on the retry.
            #expect(try table.request("lookup", "alias", key: "close") == "error|socketmap: the server closed the connection")
            #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
        }
    }

    @Test func slowReplyIsATimeoutAndDoesNotAnswerTheNextRequest() throws {
        try SocketmapFixture.withEachTableOnFaultServer { table throws in
            let (reply, seconds) = try measureSeconds { try table.request("lookup", "alias", key: "slow") }
            #expect(reply == "error|socketmap: timed out waiting for the reply")
            #expect(seconds >= 0.9 && seconds < 1 + 1, "answered after \(seconds) s with timeout 1")
            // The late "OK slow" must not become the answer to this request.
            #expect(try table.request("lookup", "alias", key: "nobody") == "not-found")
        }
    }

    @Test func frozenServerAnswersErrorWithinTheTimeout() throws {
        try Checks.frozenServerAnswersErrorWithinTheTimeoutThenRecovers()
    }

    @Test func serverDownThenUp() throws {
        try Checks.serverDownAtStartupThenStarted()
    }
}

/// table-socketmap on the fault server of socketmap.sh, whose maps answer every map name.
extension SocketmapFixture: ServerFaultFixture {
    static func faultServer() throws -> ServerControl { try SocketmapServers.faultControl() }

    /// The two ways to reach the fault server: upstream's line framing on a unix socket,
    /// and netstrings over TCP.
    static func onFaultServer() throws -> [SocketmapFixture] {
        let socket = try #require(SocketmapServers.faultSocket), port = try #require(SocketmapServers.faultPort)
        return [try SocketmapFixture(config: "socket \(socket)\ntimeout 1\n"),
                try SocketmapFixture(config: "socket inet:127.0.0.1:\(port)\nprotocol netstring\ntimeout 1\n")]
    }

    static let timeout = 1.0
    static let services = ["alias", "domain", "credentials", "netaddr", "userinfo", "mailaddr", "addrname", "mailaddrmap"]
    static let probe = FaultProbe(service: "alias", key: "root", reply: "found|alice, bob")
    static let cannotConnect = "error|socketmap: cannot connect"
    /// Refused at once: nothing listens.
    static let cannotConnectWithin = 1.0
    static let timedOut = "error|socketmap: timed out"
}
