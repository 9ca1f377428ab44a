#if canImport(Testing)
import TableDriver

/// Every check a SQL backend on a test server passes (table-postgres, table-mysql): the
/// service checks of every SQL backend, the config checks, the database going away, and
/// the network faults of FaultHarness. The backend runs them as one parameterized test of
/// its serialized suite, `@Test(arguments: SQLServerCheck.allCases)`: the fault checks stop
/// and freeze the server, which no other test may see.
package enum SQLServerCheck: CaseIterable, Sendable, CustomStringConvertible {
    case service(SQLServiceCheck)
    case config(SQLConfigCheck)
    case fault(SQLFaultCheck)
    case networkFault(FaultScenario)

    package static var allCases: [SQLServerCheck] {
        SQLServiceCheck.allCases.map(service) + SQLConfigCheck.allCases.map(config)
            + SQLFaultCheck.allCases.map(fault) + FaultScenario.allCases.map(networkFault)
    }

    package var description: String {
        switch self {
        case .service(let check): check.rawValue
        case .config(let check): check.rawValue
        case .fault(let check): check.rawValue
        case .networkFault(let scenario): "networkFault(\(scenario.rawValue))"
        }
    }

    package func run<Fixture: SQLServerFixture>(on fixture: Fixture.Type) throws {
        typealias Config = SQLConfigChecks<Fixture>
        typealias Fault = SQLFaultChecks<Fixture>
        switch self {
        case .service(let check): try check.run(on: fixture)
        case .config(.configErrorsStopTheStartWithEveryLine): try Config.configErrorsStopTheStartWithEveryLine()
        case .config(.wrongPlaceholdersAndColumnsAreNamedByKey): try Config.wrongPlaceholdersAndColumnsAreNamedByKey()
        case .config(.commandLineChecksAndAnswers): try Config.commandLineChecksAndAnswers()
        case .config(.updateSwapsOnlyAWorkingConfig): try Config.updateSwapsOnlyAWorkingConfig()
        case .fault(.serverDownAtStartupThenStarted): try Fault.serverDownAtStartupThenStarted()
        case .fault(.serverRestartedMidRunLosesNoRequest): try Fault.serverRestartedMidRunLosesNoRequest()
        case .fault(.sessionsKilledByTheServerAreReplaced): try Fault.sessionsKilledByTheServerAreReplaced()
        case .fault(.frozenServerAnswersErrorWithinTheTimeoutThenRecovers): try Fault.frozenServerAnswersErrorWithinTheTimeoutThenRecovers()
        case .fault(.schemaChangesAreSurvived): try Fault.schemaChangesAreSurvived()
        case .fault(.idleSessionsClosedByTheServerAreReplaced): try Fault.idleSessionsClosedByTheServerAreReplaced()
        case .networkFault(let scenario): try Fault.networkFault(scenario)
        }
    }
}
#endif
