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
    typealias Checks = SQLServiceChecks<PostgresFixture>

    @Test func registersExactlyTheConfiguredServices() throws {
        try Checks.registersExactlyTheConfiguredServices()
    }

    @Test func everyServiceFoundAndNotFound() throws {
        try Checks.everyServiceFoundAndNotFound { table throws in
            // $1 may appear several times in a query.
            #expect(try table.request("lookup", "mailaddrmap", key: "everyone") == "found|alice@example.org, @example.net")
        }
    }

    @Test func fetchRotatesSortedAddressesLikeUpstream() throws {
        try Checks.fetchRotatesSortedAddressesLikeUpstream()
    }

    @Test func nullEmptyAndBadValuesAreErrorsOrSkipped() throws {
        try Checks.nullEmptyAndBadValuesAreErrorsOrSkipped()
    }

    @Test func servicesWithoutAQueryAndUnknownServicesAnswerError() throws {
        try Checks.servicesWithoutAQueryAndUnknownServicesAnswerError()
    }

    @Test func hostileKeysAreBoundNotInterpolated() throws {
        // A NUL would cut the key short (libpq takes C strings): refused.
        try Checks.hostileKeysAreBoundNotInterpolated(keyWithNUL: "error|the key contains a NUL byte")
    }

    @Test func authVerifiesTheStoredHash() throws {
        try Checks.authVerifiesTheStoredHash()
    }

    @Test func sixteenPipelinedRequestsAreAnsweredByID() throws {
        try Checks.sixteenPipelinedRequestsAreAnsweredByID()
    }
}
