#if canImport(Glibc)
import Glibc
#endif
import Testing
import TableDriver

/// The map server restarted, closing connections, frozen and slow, on the server kept for
/// these tests. Serialized: they restart and freeze it, and always restore it.
@Suite(.serialized, .enabled(if: SocketmapServers.faultAvailable)) struct SocketmapFaultTests {
    /// The two ways to reach the fault server: upstream's line framing on a unix socket,
    /// and netstrings over TCP.
    func configs() -> [String] {
        ["socket \(SocketmapServers.faultSocket!)\ntimeout 1\n",
         "socket inet:127.0.0.1:\(SocketmapServers.faultPort!)\nprotocol netstring\ntimeout 1\n"]
    }

    @Test func serverRestartedMidRun() throws {
        for text in configs() {
            try SocketmapFixture(config: text).withTable { table throws in
                #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
                try SocketmapServers.faultControl().restart()
                // The old connection is dead: the request goes again on a new one (upstream
                // failed this and every later request until smtpd restarted).
                #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
                #expect(try table.request("lookup", "alias", key: "nobody") == "not-found")
            }
        }
    }

    @Test func serverClosingTheConnectionIsNotAFailureForTheNextRequest() throws {
        for text in configs() {
            try SocketmapFixture(config: text).withTable { table throws in
                #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
                // "close": the server hangs up without a reply, even on the retry.
                #expect(try table.request("lookup", "alias", key: "close") == "error|socketmap: the server closed the connection")
                #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
            }
        }
    }

    @Test func slowReplyIsATimeoutAndDoesNotAnswerTheNextRequest() throws {
        for text in configs() {
            try SocketmapFixture(config: text).withTable { table throws in
                let start = monotonicNow()
                #expect(try table.request("lookup", "alias", key: "slow") == "error|socketmap: timed out waiting for the reply")
                let seconds = monotonicNow() - start
                #expect(seconds >= 0.9 && seconds < 1 + 1, "answered after \(seconds) s with timeout 1")
                // The late "OK slow" must not become the answer to this request.
                #expect(try table.request("lookup", "alias", key: "nobody") == "not-found")
            }
        }
    }

    @Test func frozenServerAnswersErrorWithinTheTimeout() throws {
        let server = try SocketmapServers.faultControl()
        for text in configs() {
            try SocketmapFixture(config: text).withTable { table throws in
                #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
                try server.freeze()
                defer { try? server.thaw() }
                for _ in 0..<2 {
                    let start = monotonicNow()
                    let reply = try table.request("lookup", "alias", key: "root")
                    #expect(reply.hasPrefix("error|socketmap: timed out"), "\(reply)")
                    #expect(monotonicNow() - start < 1 + 1)
                }
                try server.thaw()
                var reply = ""
                let deadline = monotonicNow() + 5
                while monotonicNow() < deadline {
                    reply = try table.request("lookup", "alias", key: "root")
                    if reply.hasPrefix("found") { break }
                    usleep(100_000)
                }
                #expect(reply == "found|alice, bob")
            }
        }
    }

    @Test func serverDownThenUp() throws {
        try SocketmapFixture(config: configs()[0]).withTable { table throws in
            let server = try SocketmapServers.faultControl()
            try server.halt()
            defer { try? server.resume() }
            let start = monotonicNow()
            let reply = try table.request("lookup", "alias", key: "root")
            #expect(reply.hasPrefix("error|socketmap: cannot connect"), "\(reply)")
            #expect(monotonicNow() - start < 1)
            try server.resume()
            var answer = ""
            let deadline = monotonicNow() + 5
            while monotonicNow() < deadline {
                answer = try table.request("lookup", "alias", key: "root")
                if answer.hasPrefix("found") { break }
                usleep(100_000)
            }
            #expect(answer == "found|alice, bob")
        }
    }
}
