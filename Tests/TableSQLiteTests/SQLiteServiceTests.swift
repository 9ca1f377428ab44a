import Testing
import TableDriver
import TableTestSupport

/// table-sqlite spawned as smtpd spawns it, on a real database file: the service tests the SQL
/// backends share (SQLServiceChecks), on this backend's fixture.
@Suite struct SQLiteServiceTests {
    typealias Checks = SQLServiceChecks<SQLiteFixture>

    @Test func registersExactlyTheConfiguredServices() throws {
        try Checks.registersExactlyTheConfiguredServices()
    }

    @Test func everyServiceFoundAndNotFound() throws {
        try Checks.everyServiceFoundAndNotFound()
    }

    @Test func fetchRotatesSortedAddressesLikeUpstream() throws {
        // Sorted, duplicates merged, reloaded (back to the smallest) every 2 calls.
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

    @Test func commandLine() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        try Checks.commandLineChecksAndAnswers(fixture)
    }
}
