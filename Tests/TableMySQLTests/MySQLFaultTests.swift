import Testing
import TableDriver
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
extension MySQLTests {
    @Test(arguments: SQLFaultCheck.allCases) func fault(_ check: SQLFaultCheck) throws {
        try check.run(on: MySQLFixture.self)
    }

    /// A host name that does not resolve, replies delayed by a proxy just under and just
    /// over the timeout, connections reset mid-request and while idle.
    @Test(arguments: FaultScenario.allCases) func networkFault(_ scenario: FaultScenario) throws {
        try SQLFaultChecks<MySQLFixture>.networkFault(scenario)
    }
}

