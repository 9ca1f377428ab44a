import Testing
import TableDriver
import TableTestSupport

/// Every PostgreSQL test runs in this one serialized suite: the fault tests stop and freeze
/// the shared server, which would break tests running beside them.
@Suite(.serialized, .enabled(if: PostgresServer.available, "needs the server of scripts/servers/postgres.sh"))
struct PostgresTests {
    /// What every SQL backend on a server passes (SQLServerCheck), on this backend's fixture.
    @Test(arguments: SQLServerCheck.allCases) func shared(_ check: SQLServerCheck) throws {
        try check.run(on: PostgresFixture.self)
    }
}

extension PostgresFixture {
    /// A NUL would cut the key short (libpq takes C strings): refused.
    static let keyWithNULAnswer = "error|the key contains a NUL byte"

    /// $1 may appear several times in a query.
    static func moreServiceChecks(_ table: TableProcess) throws {
        #expect(try table.request("lookup", "mailaddrmap", key: "everyone") == "found|alice@example.org, @example.net")
    }
}
