#if canImport(Glibc)
import Glibc
#endif
import TableDriver
import TableProtocol

/// The config fuzz test every backend runs on its example config: random and mutated copies
/// of it through the backend's own `load` in-process (nothing connects), no crash, and every
/// refusal names a line of the file or the file as a whole, so that whoever wrote the file
/// is told where to look; the test expects `failure` of the result to be nil.
/// `TABLES_CONFIG_FUZZ_ITERATIONS` for longer runs.
///
/// Here rather than in TableDriver, which drives any table binary and so knows nothing of
/// TableProtocol; only the test targets link this. (It cannot use Testing itself: a release
/// build compiles every target, against the static stdlib, which has no Testing module.)
package enum ExampleConfigFuzz {
    /// - Parameters:
    ///   - example: the example file, relative to the repository (`examples/NAME/NAME.conf`).
    ///   - keywords: the backend's config keywords, for the mutations that write a keyword.
    ///   - seed: the mutator's seed, one per backend so that each sees other files.
    ///   - adapt: rewrites the example before the run (given a temporary directory), e.g. to
    ///     point it at files that exist here.
    package static func run<Table: TableBackend>(
        _ table: Table.Type, example: String, keywords: [String], seed: UInt64,
        adapt: (_ text: String, _ directory: String) throws -> String = { text, _ in text }
    ) throws -> ConfigFuzzResult {
        let directory = TestEnvironment.makeTemporaryDirectory("\(Table.name)-config-fuzz")
        defer { TestEnvironment.run(["rm", "-rf", directory]) }
        let text = try adapt(TestEnvironment.readText(ConfigFuzz.repositoryFile(example)), directory)
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        let logger = Logger(program: "table-\(Table.name)", table: "fuzz", minimumLevel: .debug, fd: devNull)
        var mutator = ConfigMutator(seedText: text, keywords: keywords, seed: seed)
        return try ConfigFuzz.run(&mutator, path: "\(directory)/fuzz.conf") { path in
            do throws(ConfigErrors) {
                _ = try Table(loading: path, logger: logger)
                return nil
            } catch {
                return error.problems.map { ($0.line, $0.description) }
            }
        }
    }
}
