import Testing
#if canImport(Glibc)
import Glibc
#endif
import TableDriver

/// slapd stopped, restarted and frozen under a running table-ldap. Each test runs its own
/// private slapd (PrivateSlapd) and stops it at the end, so the shared one is untouched.
@Suite(.serialized, .enabled(if: SlapdServer.available)) struct LDAPFaultTests {
    static let alice = "found|5001:5000:/var/vmail/alice"

    func start(_ slapd: PrivateSlapd, timeout: Int) throws -> (LDAPFixture, TableProcess) {
        let fixture = try LDAPFixture(server: slapd.server, "timeout \(timeout)\n" + LDAPFixture.services)
        let table = try fixture.start()
        _ = try table.handshake()
        return (fixture, table)
    }

    /// Sends `count` requests at once: each is answered once, with an error, and all within
    /// `seconds`.
    func pipelinedErrors(_ table: TableProcess, count: Int, within seconds: Double) throws {
        let requests = Array(repeating: (operation: "lookup", service: "userinfo", key: "alice"), count: count)
        let (replies, elapsed) = try measureSeconds { try table.pipeline(requests, timeout: seconds + 5) }
        #expect(replies.allSatisfy { $0.hasPrefix("error|") }, "\(replies)")
        #expect(elapsed <= seconds)
    }

    @Test func slapdStoppedAndRestarted() throws {
        let slapd = try PrivateSlapd(try #require(SlapdServer.shared))
        let (fixture, table) = try start(slapd, timeout: 2)
        defer { fixture.cleanUp() }
        #expect(try table.request("lookup", "userinfo", key: "alice") == Self.alice)
        slapd.stop()
        // The lost connection: an error for the request, quickly, and for everything in flight.
        let started = monotonicNow()
        let answer = try table.request("lookup", "userinfo", key: "alice")
        #expect(answer.hasPrefix("error|"))
        #expect(monotonicNow() - started <= 3)
        try pipelinedErrors(table, count: 8, within: 3)
        #expect(try table.request("check", "auth", key: "alice:alicepass").hasPrefix("error|"))
        // Back again: served within the backoff (at most 1 s) of the server's return.
        slapd.resume()
        #expect(try table.requestUntil("lookup", "userinfo", key: "alice", timeout: 5) { $0 == Self.alice }.last == Self.alice)
        // Each worker has its own connection and backoff: within a second all are back.
        #expect(try table.requestUntil("check", "auth", key: "alice:alicepass", timeout: 3) { $0 == "found" }.last == "found")
        usleep(1_100_000)
        for _ in 0..<8 {
            #expect(try table.request("lookup", "userinfo", key: "alice") == Self.alice)
        }
        #expect(table.isRunning)
        #expect(!fixture.log().contains("smtpdsecret"))
        withExtendedLifetime(slapd) {}
    }

    @Test func slapdFrozen() throws {
        let slapd = try PrivateSlapd(try #require(SlapdServer.shared))
        let timeout = 1
        let (fixture, table) = try start(slapd, timeout: timeout)
        defer { fixture.cleanUp() }
        #expect(try table.request("lookup", "userinfo", key: "alice") == Self.alice)
        defer { slapd.thaw() }
        try #require(slapd.freeze())
        // A search on the open connection, a reconnect to a server that accepts TCP but never
        // answers, and a bind for auth: each ends in error within the timeout plus 1 s.
        for (operation, service, key) in [("lookup", "userinfo", "alice"), ("lookup", "userinfo", "bob"), ("check", "auth", "alice:alicepass")] {
            let started = monotonicNow()
            let answer = try table.request(operation, service, key: key, timeout: Double(timeout) * 3 + 5)
            #expect(answer.hasPrefix("error|"), "\(operation) \(service): \(answer)")
            #expect(monotonicNow() - started <= Double(timeout) + 1, "\(operation) \(service)")
        }
        // Pipelined, the requests share the workers (max_connections 4: the reader and three
        // workers, see TableServer): 8 requests take at most three rounds of one timeout.
        try pipelinedErrors(table, count: 8, within: Double(timeout) * 3 + 1)
        slapd.thaw()
        #expect(try table.requestUntil("lookup", "userinfo", key: "alice", timeout: 8) { $0 == Self.alice }.last == Self.alice)
        #expect(table.isRunning)
    }

    @Test func slapdDownAtStartDoesNotDelayTheHandshake() throws {
        let slapd = try PrivateSlapd(try #require(SlapdServer.shared))
        slapd.stop()
        let fixture = try LDAPFixture(server: slapd.server, "timeout 2\n" + LDAPFixture.services)
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        let started = monotonicNow()
        #expect(try table.handshake(timeout: 2).count == 8)
        #expect(monotonicNow() - started < 1)
        #expect(try table.request("check", "domain", key: "example.org").hasPrefix("error|"))
        slapd.resume()
        #expect(try table.requestUntil("check", "domain", key: "example.org", timeout: 5) { $0 == "found" }.last == "found")
        withExtendedLifetime(slapd) {}
    }
}
