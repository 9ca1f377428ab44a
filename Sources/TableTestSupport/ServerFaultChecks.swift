#if canImport(Testing)
import Testing
import TableDriver

/// A backend on a test server kept for its fault tests (scripts/servers/NAME.sh runs it
/// beside the one the other suites use): what ServerFaultChecks needs to stop, restart and
/// freeze that server under a running table.
package protocol ServerFaultFixture: TableFixture {
    /// The fault server, through its script (halt, resume, restart, freeze, thaw).
    static func faultServer() throws -> ServerControl
    /// Fixtures whose table reaches the fault server with a timeout of `timeout`: one for
    /// every way the backend can reach it (socketmap: a unix socket and TCP).
    static func onFaultServer() throws -> [Self]
    /// The timeout of those configs, in seconds.
    static var timeout: Double { get }
    /// The services the table registers on those configs.
    static var services: [String] { get }
    /// A lookup the fault server answers, and its answer.
    static var probe: FaultProbe { get }
    /// Stores the probe's answer on the fault server (again after a halt, for a server that
    /// keeps no data across one).
    static func storeProbeAnswer() throws
    /// How the answer to a request begins while nothing listens where the server was.
    static var cannotConnect: String { get }
    /// How long that answer may take (by default the timeout + 1 s).
    static var cannotConnectWithin: Double { get }
    /// How the answer to a request begins while the server is frozen (by default `error|`).
    static var timedOut: String { get }
}

extension ServerFaultFixture {
    package static func storeProbeAnswer() throws {}
    package static var cannotConnectWithin: Double { timeout + 1 }
    package static var timedOut: String { "error|" }

    /// Runs `body` on a table that reaches the fault server, once for every way of reaching
    /// it (`onFaultServer`), with the probe's answer stored.
    package static func withEachTableOnFaultServer(_ body: (TableProcess) throws -> Void) throws {
        let fixtures = try onFaultServer()
        defer { fixtures.forEach { $0.cleanUp() } }
        for fixture in fixtures {
            try storeProbeAnswer()
            try fixture.withTable(body)
        }
    }
}

/// The fault server stopped, restarted and frozen under a running table, for the backends
/// whose server is not a database (table-redis, table-socketmap; the SQL backends have
/// SQLFaultChecks, table-ldap a private slapd per test). Every request is answered, with
/// its right answer or an error, within the timeout + 1 s, and service comes back by itself
/// within seconds, without an update or a restart of the table. Each check is one `@Test`
/// of the backend's serialized fault suite, and always leaves the server running.
package enum ServerFaultChecks<Fixture: ServerFaultFixture> {
    static var probe: FaultProbe { Fixture.probe }

    static func askProbe(_ table: TableProcess) throws -> String {
        try table.request("lookup", probe.service, key: probe.key)
    }

    /// Asks the probe until it is answered (at most 5 s): the last answer must be the right one.
    static func expectServedAgain(_ table: TableProcess) throws {
        let replies = try table.requestUntil("lookup", probe.service, key: probe.key, timeout: 5) { $0 == probe.reply }
        #expect(replies.last == probe.reply, "\(replies)")
    }

    /// The server is down when the table starts: the handshake does not wait for it, the
    /// request fails fast, and once the server is back the table serves again.
    package static func serverDownAtStartupThenStarted() throws {
        let server = try Fixture.faultServer()
        try server.halt()
        defer { try? server.resume() }
        let fixtures = try Fixture.onFaultServer()
        defer { fixtures.forEach { $0.cleanUp() } }
        let table = try fixtures[0].start()
        #expect(try table.handshake() == Fixture.services)
        let (reply, seconds) = try measureSeconds { try askProbe(table) }
        #expect(reply.hasPrefix(Fixture.cannotConnect), "\(reply)")
        #expect(seconds < Fixture.cannotConnectWithin, "answered after \(seconds) s")
        try server.resume()
        try Fixture.storeProbeAnswer()
        try expectServedAgain(table)
    }

    /// The server restarts between two requests: the old connection is dead, and the
    /// request goes again on a new one, answered once. `more`: the backend's own requests
    /// after that, on the same table.
    package static func serverRestartedMidRunLosesNoRequest(andThen more: (TableProcess) throws -> Void = { _ in }) throws {
        try Fixture.withEachTableOnFaultServer { table throws in
            #expect(try askProbe(table) == probe.reply)
            try Fixture.faultServer().restart()
            #expect(try askProbe(table) == probe.reply)
            try more(table)
            #expect(table.isRunning)
        }
    }

    /// The server frozen: each request answers an error within the timeout + 1 s, and once
    /// the server thaws the table serves again.
    package static func frozenServerAnswersErrorWithinTheTimeoutThenRecovers() throws {
        let server = try Fixture.faultServer()
        try Fixture.withEachTableOnFaultServer { table throws in
            #expect(try askProbe(table) == probe.reply)
            try server.freeze()
            defer { try? server.thaw() }
            for attempt in 0..<3 {
                let (reply, seconds) = try measureSeconds { try askProbe(table) }
                #expect(reply.hasPrefix(Fixture.timedOut), "attempt \(attempt): \(reply)")
                #expect(seconds < Fixture.timeout + 1, "answered after \(seconds) s with timeout \(Fixture.timeout)")
            }
            try server.thaw()
            try expectServedAgain(table)
        }
    }
}
#endif
