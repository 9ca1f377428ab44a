#if canImport(Testing)
import Testing
import TableDriver

extension FaultScenario {
    /// The network fault test of a backend: this scenario through a proxy to its real
    /// server (`target`), and no promise broken (one right reply or error per request,
    /// within the timeout + 1 s, service back within 2 s). Every network backend runs it as
    /// `@Test(arguments: FaultScenario.allCases)`.
    package func expectPromisesKept(_ target: FaultTarget) {
        let report = run(on: target)
        #expect(report.failures.isEmpty, "\(report)")
    }
}
#endif
