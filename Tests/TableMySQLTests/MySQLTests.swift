import Testing
import TableDriver
import TableTestSupport

/// Every MariaDB test runs in this one serialized suite: the fault tests stop and freeze
/// the shared server, which would break tests running beside them.
@Suite(.serialized, .enabled(if: MySQLServer.available, "needs the server of scripts/servers/mariadb.sh"))
struct MySQLTests {
    /// What every SQL backend on a server passes (SQLServerCheck), on this backend's fixture.
    @Test(arguments: SQLServerCheck.allCases) func shared(_ check: SQLServerCheck) throws {
        try check.run(on: MySQLFixture.self)
    }
}
