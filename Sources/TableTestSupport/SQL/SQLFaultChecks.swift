#if canImport(Testing)
import Testing
import TableDriver
#if canImport(Glibc)
import Glibc
#endif

/// The checks of SQLFaultChecks by name (SQLServerCheck runs them).
package enum SQLFaultCheck: String, CaseIterable, Sendable {
    case serverDownAtStartupThenStarted, serverRestartedMidRunLosesNoRequest, sessionsKilledByTheServerAreReplaced
    case frozenServerAnswersErrorWithinTheTimeoutThenRecovers, schemaChangesAreSurvived, idleSessionsClosedByTheServerAreReplaced
}

/// The database going away under a running table, for the SQL backends on a test server:
/// down at start, restarted, frozen, sessions killed or closed from the server side, a
/// column changed under a prepared statement, and the network faults of FaultHarness. Every
/// request is answered, never wrongly, within the timeout (+ 1 s), and service resumes by
/// itself. They stop and freeze the server: the backend's serialized suite runs them.
package enum SQLFaultChecks<Fixture: SQLServerFixture> {
    static var bound: Double { Fixture.timeout + 1 }

    /// A fixture whose table has a single connection: its next request meets a broken one.
    static func singleConnection() throws -> Fixture {
        try Fixture(Fixture.queries + "\nmax_connections 1")
    }

    package static func serverDownAtStartupThenStarted() throws {
        let fixture = try Fixture(Fixture.queries)
        defer { fixture.cleanUp() }
        let server = Fixture.server
        try server.halt()
        defer { try? server.resume() }
        let table = try fixture.start()
        // The handshake does not wait on the database.
        let (services, handshakeSeconds) = try measureSeconds { try table.handshake() }
        #expect(services.count == 9)
        #expect(handshakeSeconds < bound)
        let (reply, seconds) = try measureSeconds { try table.request("lookup", "alias", key: "alice@example.org") }
        #expect(reply.hasPrefix("error|cannot connect to \(Fixture.product)"))
        #expect(seconds < bound)

        try server.resume()
        let replies = try table.requestUntil("lookup", "alias", key: "alice@example.org", timeout: 10) { $0 == "found|vmail" }
        #expect(replies.last == "found|vmail")
        #expect(replies.allSatisfy { $0 == "found|vmail" || $0.hasPrefix("error|") }, "\(replies)")
    }

    package static func serverRestartedMidRunLosesNoRequest() throws {
        try Fixture(Fixture.queries).withTable { table throws in
            let requests = (0..<16).map { (operation: "lookup", service: "alias", key: $0 % 2 == 0 ? "alice@example.org" : "nobody@example.org") }
            let expected = (0..<16).map { $0 % 2 == 0 ? "found|vmail" : "not-found" }
            // Open every connection of the pool.
            #expect(try table.pipeline(requests) == expected)
            // And a table with a single connection, whose next request must meet the broken one.
            let single = try singleConnection()
            try single.withTable { serial throws in
                #expect(try serial.request("lookup", "alias", key: "alice@example.org") == "found|vmail")

                try Fixture.server.halt()
                try Fixture.server.resume()
                // Each broken session is noticed, replaced and the request retried on the new one.
                #expect(try serial.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
                #expect(single.log().contains("info: connection lost ("), "\(single.log())")
                #expect(try table.pipeline(requests) == expected)
                #expect(try table.request("fetch", "source") == "found|192.0.2.1")
            }
        }
    }

    package static func sessionsKilledByTheServerAreReplaced() throws {
        try Fixture(Fixture.queries).withTable { table throws in
            let requests = (0..<16).map { _ in (operation: "check", service: "domain", key: "example.org") }
            #expect(try table.pipeline(requests) == Array(repeating: "found", count: 16))
            try Fixture.endSessions()
            #expect(try table.pipeline(requests) == Array(repeating: "found", count: 16))
        }
    }

    package static func frozenServerAnswersErrorWithinTheTimeoutThenRecovers() throws {
        // One connection: the first frozen request meets it mid-query, the next ones connect.
        let fixture = try singleConnection()
        try fixture.withTable { table throws in
            #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")

            let server = Fixture.server
            try server.freeze()
            defer { try? server.thaw() }
            for attempt in 0..<3 {
                let (reply, seconds) = try measureSeconds { try table.request("lookup", "alias", key: "alice@example.org", timeout: 30) }
                #expect(reply.hasPrefix("error|"), "attempt \(attempt): \(reply) after \(seconds) s\n\(fixture.log())")
                #expect(seconds < bound, "answered after \(seconds) s")
            }
            try server.thaw()
            let replies = try table.requestUntil("lookup", "alias", key: "alice@example.org", timeout: 10) { $0 == "found|vmail" }
            #expect(replies.last == "found|vmail")
            #expect(replies.allSatisfy { $0 == "found|vmail" || $0.hasPrefix("error|") }, "\(replies)")
        }
    }

    /// A column type changed under a prepared statement (PostgreSQL: "cached plan must not
    /// change result type"): the answer is still right.
    package static func schemaChangesAreSurvived() throws {
        // One connection, so that both requests use the statement prepared before the change.
        try singleConnection().withTable(verbose: true) { table throws in
            #expect(try table.request("lookup", "addrname", key: "192.0.2.1") == "found|mx.example.org")
            try Fixture.widenTheNameColumn()
            #expect(try table.request("lookup", "addrname", key: "192.0.2.1") == "found|mx.example.org")
        }
    }

    /// The server closes idle sessions: the next request meets a closed connection, which is
    /// replaced without an error.
    package static func idleSessionsClosedByTheServerAreReplaced() throws {
        let (wait, restore) = try Fixture.closeIdleSessionsSoon()
        defer { restore() }
        let fixture = try singleConnection()
        try fixture.withTable { table throws in
            #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
            usleep(UInt32(wait * 1_000_000))
            #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
            #expect(fixture.log().contains("connection lost ("), "\(fixture.log())")
        }
    }

    /// A FaultHarness scenario through a proxy to the server, on fresh fixture tables.
    package static func networkFault(_ scenario: FaultScenario) throws {
        let fixture = try Fixture(Fixture.queries)
        defer { fixture.cleanUp() }
        scenario.expectPromisesKept(Fixture.faultTarget)
    }
}
#endif
