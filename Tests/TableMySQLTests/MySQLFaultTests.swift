import Testing
import TableDriver
#if canImport(Glibc)
import Glibc
#endif

/// The database going away under a running table: down at start, restarted, frozen, and
/// sessions killed from the server side. Every request is answered, never wrongly, within
/// the timeout (+ 1 s), and service resumes by itself.
extension MySQLTests {
    static let bound = MySQLFixture.timeout + 1

    @Test func serverDownAtStartupThenStarted() throws {
        let fixture = try MySQLFixture()
        defer { fixture.cleanUp() }
        let server = MySQLServer.control
        try server.halt()
        defer { try? server.resume() }
        let table = try fixture.start()
        // The handshake does not wait on the database.
        let (services, handshakeSeconds) = try measureSeconds { try table.handshake() }
        #expect(services.count == 9)
        #expect(handshakeSeconds < Self.bound)
        let (reply, seconds) = try measureSeconds { try table.request("lookup", "alias", key: "alice@example.org") }
        #expect(reply.hasPrefix("error|cannot connect to MySQL"))
        #expect(seconds < Self.bound)

        try server.resume()
        let replies = try table.requestUntil("lookup", "alias", key: "alice@example.org", timeout: 10) { $0 == "found|vmail" }
        #expect(replies.last == "found|vmail")
        #expect(replies.allSatisfy { $0 == "found|vmail" || $0.hasPrefix("error|") }, "\(replies)")
    }

    @Test func serverRestartedMidRunLosesNoRequest() throws {
        let fixture = try MySQLFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        let requests = (0..<16).map { (operation: "lookup", service: "alias", key: $0 % 2 == 0 ? "alice@example.org" : "nobody@example.org") }
        let expected = (0..<16).map { $0 % 2 == 0 ? "found|vmail" : "not-found" }
        // Open every connection of the pool.
        #expect(try table.pipeline(requests) == expected)
        // And a table with a single connection, whose next request must meet the broken one.
        let single = try MySQLFixture(MySQLFixture.queries + "\nmax_connections 1")
        defer { single.cleanUp() }
        let serial = try single.start()
        _ = try serial.handshake()
        #expect(try serial.request("lookup", "alias", key: "alice@example.org") == "found|vmail")

        let server = MySQLServer.control
        try server.halt()
        try server.resume()
        // Each broken session is noticed, replaced and the request retried on the new one.
        #expect(try serial.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
        #expect(single.log().contains("info: connection lost ("), "\(single.log())")
        #expect(try table.pipeline(requests) == expected)
        #expect(try table.request("fetch", "source") == "found|192.0.2.1")
    }

    @Test func sessionsKilledByTheServerAreReplaced() throws {
        let fixture = try MySQLFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        let requests = (0..<16).map { _ in (operation: "check", service: "domain", key: "example.org") }
        #expect(try table.pipeline(requests) == Array(repeating: "found", count: 16))
        try MySQLServer.killSessions(of: MySQLServer.value("USER"))
        #expect(try table.pipeline(requests) == Array(repeating: "found", count: 16))
    }

    @Test func frozenServerAnswersErrorWithinTheTimeoutThenRecovers() throws {
        // One connection: the first frozen request meets it mid-query, the next ones connect.
        let fixture = try MySQLFixture(MySQLFixture.queries + "\nmax_connections 1")
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")

        let server = MySQLServer.control
        try server.freeze()
        defer { try? server.thaw() }
        for attempt in 0..<3 {
            let (reply, seconds) = try measureSeconds { try table.request("lookup", "alias", key: "alice@example.org", timeout: 30) }
            #expect(reply.hasPrefix("error|"), "attempt \(attempt): \(reply) after \(seconds) s\n\(fixture.log())")
            #expect(seconds < Self.bound, "answered after \(seconds) s")
        }
        try server.thaw()
        let replies = try table.requestUntil("lookup", "alias", key: "alice@example.org", timeout: 10) { $0 == "found|vmail" }
        #expect(replies.last == "found|vmail")
        #expect(replies.allSatisfy { $0 == "found|vmail" || $0.hasPrefix("error|") }, "\(replies)")
    }
}

extension MySQLTests {
    /// A column type changed under a prepared statement: the answer is still right.
    @Test func schemaChangesAreSurvived() throws {
        // One connection, so that both requests use the statement prepared before the change.
        let fixture = try MySQLFixture(MySQLFixture.queries + "\nmax_connections 1")
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        #expect(try table.request("lookup", "addrname", key: "192.0.2.1") == "found|mx.example.org")
        try MySQLServer.sql("ALTER TABLE names MODIFY name VARCHAR(200);")
        #expect(try table.request("lookup", "addrname", key: "192.0.2.1") == "found|mx.example.org")
    }
}

extension MySQLTests {
    /// The server closes idle sessions (wait_timeout): the next request meets a closed
    /// connection, which is replaced without an error.
    @Test func idleSessionsClosedByTheServerAreReplaced() throws {
        try MySQLServer.rootSQL("SET GLOBAL wait_timeout = 1;")
        defer { try? MySQLServer.rootSQL("SET GLOBAL wait_timeout = DEFAULT;") }
        let fixture = try MySQLFixture(MySQLFixture.queries + "\nmax_connections 1")
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
        usleep(2_500_000)
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
        #expect(fixture.log().contains("connection lost ("), "\(fixture.log())")
    }
}
