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
    typealias Checks = SQLServiceChecks<MySQLFixture>

    @Test func registersExactlyTheConfiguredServices() throws {
        try Checks.registersExactlyTheConfiguredServices()
    }

    @Test func everyServiceFoundAndNotFound() throws {
        try Checks.everyServiceFoundAndNotFound()
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
        // The key is bound with its length: a NUL does not cut it short.
        try Checks.hostileKeysAreBoundNotInterpolated(keyWithNUL: "not-found")
    }

    @Test func authVerifiesTheStoredHash() throws {
        try Checks.authVerifiesTheStoredHash()
    }

    @Test func sixteenPipelinedRequestsAreAnsweredByID() throws {
        try Checks.sixteenPipelinedRequestsAreAnsweredByID()
    }
}
