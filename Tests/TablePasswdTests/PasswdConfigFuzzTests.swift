#if canImport(Glibc)
import Glibc
#endif
import Testing
import TableDriver
import TableProtocol
@testable import table_passwd

/// Random and mutated passwd files, made from examples/passwd/passwd, through the backend's own
/// `load` in-process (nothing connects): no crash, and every refusal names a line of the file
/// or the file as a whole (issue 7, item 2). `TABLES_CONFIG_FUZZ_ITERATIONS` for longer runs.
@Suite struct PasswdConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        let directory = TestEnvironment.makeTemporaryDirectory("passwd-config-fuzz")
        defer { TestEnvironment.run(["rm", "-rf", directory]) }
        let seed = try TestEnvironment.readText(ConfigFuzz.repositoryFile("examples/passwd/passwd"))
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        let logger = Logger(program: "table-passwd", table: "fuzz", minimumLevel: .debug, fd: devNull)
        var mutator = ConfigMutator(seedText: seed, keywords: [], seed: 17)
        let result = try ConfigFuzz.run(&mutator, path: "\(directory)/fuzz.conf") { path in
            do throws(ConfigErrors) {
                _ = try PasswdTable.load(path, logger: logger)
                return nil
            } catch {
                return error.problems.map { ($0.line, $0.description) }
            }
        }
        #expect(result.failureCount == 0, "\(result.failureCount) refusals named no line: \(result.failures)")
        #expect(result.loaded > 0 && result.rejected > 0, "loaded \(result.loaded), refused \(result.rejected)")
    }
}
