import Testing
import TableDriver
import TableTestSupport

/// Every MariaDB test runs in this one serialized suite: the fault tests stop and freeze
/// the shared server, which would break tests running beside them.
@Suite(.serialized, .enabled(if: MySQLServer.available, "needs the server of scripts/servers/mariadb.sh"))
struct MySQLTests {}

@Suite struct MySQLServerPresence {
    @Test func theServerIsThereWhenTestsRequireIt() {
        #expect(MySQLServer.available || !TestEnvironment.serversRequired,
                "MARIADB_TEST_PORT is not set: run scripts/servers/mariadb.sh start and source mariadb.env")
    }
}

/// The service tests the SQL backends share (SQLServiceChecks), on this backend's fixture.
extension MySQLTests {
    @Test(arguments: SQLServiceCheck.allCases) func service(_ check: SQLServiceCheck) throws {
        try check.run(on: MySQLFixture.self)
    }
}
