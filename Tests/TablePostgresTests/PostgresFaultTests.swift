import Testing
import TableDriver
#if canImport(Glibc)
import Glibc
#endif

/// The database going away under a running table: down at start, restarted, frozen, and
/// sessions killed from the server side. Every request is answered, never wrongly, within
/// the timeout (+ 1 s), and service resumes by itself.
extension PostgresTests {
    static let bound = PostgresFixture.timeout + 1

    @Test func serverDownAtStartupThenStarted() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let server = PostgresServer.control
        try server.halt()
        defer { try? server.resume() }
        let table = try fixture.start()
        // The handshake does not wait on the database.
        let (services, handshakeSeconds) = try measureSeconds { try table.handshake() }
        #expect(services.count == 9)
        #expect(handshakeSeconds < Self.bound)
        let (reply, seconds) = try measureSeconds { try table.request("lookup", "alias", key: "alice@example.org") }
        #expect(reply.hasPrefix("error|cannot connect to PostgreSQL"))
        #expect(seconds < Self.bound)

        try server.resume()
        let replies = try table.requestUntil("lookup", "alias", key: "alice@example.org", timeout: 10) { $0 == "found|vmail" }
        #expect(replies.last == "found|vmail")
        #expect(replies.allSatisfy { $0 == "found|vmail" || $0.hasPrefix("error|") }, "\(replies)")
    }

    @Test func serverRestartedMidRunLosesNoRequest() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        let requests = (0..<16).map { (operation: "lookup", service: "alias", key: $0 % 2 == 0 ? "alice@example.org" : "nobody@example.org") }
        let expected = (0..<16).map { $0 % 2 == 0 ? "found|vmail" : "not-found" }
        // Open every connection of the pool.
        #expect(try table.pipeline(requests) == expected)
        // And a table with a single connection, whose next request must meet the broken one.
        let single = try PostgresFixture(PostgresFixture.queries + "\nmax_connections 1")
        defer { single.cleanUp() }
        let serial = try single.start()
        _ = try serial.handshake()
        #expect(try serial.request("lookup", "alias", key: "alice@example.org") == "found|vmail")

        let server = PostgresServer.control
        try server.halt()
        try server.resume()
        // Each broken session is noticed, replaced and the request retried on the new one.
        #expect(try serial.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
        #expect(single.log().contains("info: connection lost ("), "\(single.log())")
        #expect(try table.pipeline(requests) == expected)
        #expect(try table.request("fetch", "source") == "found|192.0.2.1")
    }

    @Test func sessionsKilledByTheServerAreReplaced() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        let requests = (0..<16).map { _ in (operation: "check", service: "domain", key: "example.org") }
        #expect(try table.pipeline(requests) == Array(repeating: "found", count: 16))
        try PostgresServer.superuserSQL("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(PostgresServer.value("USER"))' AND pid <> pg_backend_pid();")
        #expect(try table.pipeline(requests) == Array(repeating: "found", count: 16))
    }

    @Test func frozenServerAnswersErrorWithinTheTimeoutThenRecovers() throws {
        // One connection: the first frozen request meets it mid-query, the next ones connect.
        let fixture = try PostgresFixture(PostgresFixture.queries + "\nmax_connections 1")
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")

        let server = PostgresServer.control
        try server.freeze()
        defer { try? server.thaw() }
        for _ in 0..<3 {
            let (reply, seconds) = try measureSeconds { try table.request("lookup", "alias", key: "alice@example.org", timeout: 30) }
            #expect(reply.hasPrefix("error|"), "\(reply)")
            #expect(seconds < Self.bound, "answered after \(seconds) s")
        }
        try server.thaw()
        let replies = try table.requestUntil("lookup", "alias", key: "alice@example.org", timeout: 10) { $0 == "found|vmail" }
        #expect(replies.last == "found|vmail")
        #expect(replies.allSatisfy { $0 == "found|vmail" || $0.hasPrefix("error|") }, "\(replies)")
    }
}

extension PostgresTests {
    /// A column type changed under a prepared statement ("cached plan must not change result
    /// type"): the session is replaced, the statements prepared again, the request answered.
    @Test func schemaChangesAreSurvived() throws {
        // One connection, so that both requests use the statement prepared before the change.
        let fixture = try PostgresFixture(PostgresFixture.queries + "\nmax_connections 1")
        defer { fixture.cleanUp() }
        let table = try fixture.start(arguments: ["-v", fixture.config])
        _ = try table.handshake()
        #expect(try table.request("lookup", "addrname", key: "192.0.2.1") == "found|mx.example.org")
        try PostgresServer.sql("ALTER TABLE names ALTER COLUMN name TYPE varchar(200);")
        #expect(try table.request("lookup", "addrname", key: "192.0.2.1") == "found|mx.example.org")
    }

    /// Several hosts: the first refuses, libpq goes on to the next.
    @Test func severalHostsInConninfo() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let conninfo = "host=127.0.0.1,127.0.0.1 port=1,\(PostgresServer.port) dbname=\(PostgresServer.value("DATABASE")) user=\(PostgresServer.value("USER")) password=\(PostgresServer.password) target_session_attrs=read-write"
        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = $1", conninfo: conninfo)
        let output = try TestEnvironment.capture(TestEnvironment.binary("table-postgres"), [fixture.config, "check", "domain", "example.org"])
        #expect(output.stdout == "found\n", "\(output.stderr)")
    }
}

extension PostgresTests {
    /// The server closes idle sessions (idle_session_timeout): the next request meets a
    /// closed connection, which is replaced without an error.
    @Test func idleSessionsClosedByTheServerAreReplaced() throws {
        let user = PostgresServer.value("USER")
        try PostgresServer.superuserSQL("ALTER ROLE \(user) SET idle_session_timeout = '500ms';")
        defer { try? PostgresServer.superuserSQL("ALTER ROLE \(user) RESET idle_session_timeout;") }
        let fixture = try PostgresFixture(PostgresFixture.queries + "\nmax_connections 1")
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
        usleep(1_200_000)
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
        #expect(fixture.log().contains("connection lost ("), "\(fixture.log())")
    }
}
