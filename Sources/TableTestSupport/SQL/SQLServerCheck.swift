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
        switch self {
        case .service(let check): try check.run(on: fixture)
        case .config(let check): try check.run(on: fixture)
        case .fault(let check): try check.run(on: fixture)
        case .networkFault(let scenario): try SQLFaultChecks<Fixture>.networkFault(scenario)
        }
    }
}
#endif
