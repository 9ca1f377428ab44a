import Testing
import TableDriver
import TableTestSupport

/// Every PostgreSQL test runs in this one serialized suite: the fault tests stop and freeze
/// the shared server, which would break tests running beside them.
@Suite(.serialized, .enabled(if: PostgresServer.available, "needs the server of scripts/servers/postgres.sh"))
struct PostgresTests {}

@Suite struct PostgresServerPresence {
    @Test func theServerIsThereWhenTestsRequireIt() {
        #expect(PostgresServer.available || !TestEnvironment.serversRequired,
                "POSTGRES_TEST_PORT is not set: run scripts/servers/postgres.sh start and source postgres.env")
    }
}

/// The service tests the SQL backends share (SQLServiceChecks), on this backend's fixture.
extension PostgresTests {
    @Test(arguments: SQLServiceCheck.allCases) func service(_ check: SQLServiceCheck) throws {
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
