import Testing
import TableTestSupport
@testable import table_redis

/// Random and mutated configs made from examples/redis/redis.conf through the backend's own
/// `load` (ExampleConfigFuzz.expectEveryRefusalNamesALine).
@Suite struct RedisConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        try ExampleConfigFuzz.expectEveryRefusalNamesALine(RedisTable.self, keywords: RedisConfig.keywords, seed: 15)
    }
}
