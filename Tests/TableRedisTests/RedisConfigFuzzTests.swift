#if canImport(Glibc)
import Glibc
#endif
import Testing
import TableDriver
import TableProtocol
@testable import table_redis

/// Random and mutated config files, made from examples/redis/redis.conf, through the backend's own
/// `load` in-process (nothing connects): no crash, and every refusal names a line of the file
/// or the file as a whole (issue 7, item 2). `TABLES_CONFIG_FUZZ_ITERATIONS` for longer runs.
@Suite struct RedisConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        let directory = TestEnvironment.makeTemporaryDirectory("redis-config-fuzz")
        defer { TestEnvironment.run(["rm", "-rf", directory]) }
        let seed = try TestEnvironment.readText(ConfigFuzz.repositoryFile("examples/redis/redis.conf"))
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        let logger = Logger(program: "table-redis", table: "fuzz", minimumLevel: .debug, fd: devNull)
        var mutator = ConfigMutator(seedText: seed, keywords: RedisConfig.keywords, seed: 15)
        let result = try ConfigFuzz.run(&mutator, path: "\(directory)/fuzz.conf") { path in
            do throws(ConfigErrors) {
                _ = try RedisTable.load(path, logger: logger)
                return nil
            } catch {
                return error.problems.map { ($0.line, $0.description) }
            }
        }
        #expect(result.failureCount == 0, "\(result.failureCount) refusals named no line: \(result.failures)")
        #expect(result.loaded > 0 && result.rejected > 0, "loaded \(result.loaded), refused \(result.rejected)")
    }
}
