import Testing
import TableTestSupport
@testable import table_redis

/// Random and mutated configs made from examples/redis/redis.conf through the backend's own
/// `load` (ExampleConfigFuzz).
@Suite struct RedisConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        let result = try ExampleConfigFuzz.run(RedisTable.self, example: "examples/redis/redis.conf",
                                               keywords: RedisConfig.keywords, seed: 15)
        #expect(result.failure == nil, Comment(rawValue: result.failure ?? ""))
    }
}
