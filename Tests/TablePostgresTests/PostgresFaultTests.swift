import Testing
import TableDriver
import TableTestSupport
import TableTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The database going away under a running table: down at start, restarted, frozen, and
/// sessions killed from the server side. Every request is answered, never wrongly, within
/// the timeout (+ 1 s), and service resumes by itself.
/// The database going away under a running table, and the network faults of FaultHarness
/// (SQLFaultChecks, shared with the other SQL backend): every request is answered, never
/// wrongly, within the timeout (+ 1 s), and service resumes by itself.
extension PostgresTests {
    @Test(arguments: SQLFaultCheck.allCases) func fault(_ check: SQLFaultCheck) throws {
        try check.run(on: PostgresFixture.self)
    }

    /// A host name that does not resolve, replies delayed by a proxy just under and just
    /// over the timeout, connections reset mid-request and while idle.
    @Test(arguments: FaultScenario.allCases) func networkFault(_ scenario: FaultScenario) throws {
        try SQLFaultChecks<PostgresFixture>.networkFault(scenario)
    }

    /// Several hosts: the first refuses, libpq goes on to the next.
    @Test func severalHostsInConninfo() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let conninfo = "host=127.0.0.1,127.0.0.1 port=1,\(PostgresServer.port) dbname=\(PostgresServer.value("DATABASE")) user=\(PostgresServer.value("USER")) password=\(PostgresServer.password) target_session_attrs=read-write"
        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = $1", conninfo: conninfo)
        let output = try TestEnvironment.capture(PostgresFixture.binary, [fixture.config, "check", "domain", "example.org"])
        #expect(output.stdout == "found\n", "\(output.stderr)")
    }
}

