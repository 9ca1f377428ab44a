#if canImport(Glibc)
import Glibc
#endif
import Testing
import TableDriver
import TableTestSupport

/// The Redis servers `scripts/servers/redis.sh` started, and a table-redis process on a
/// config of the test's own. Each suite uses its own database number, so suites can run in
/// parallel on the one server.
enum RedisServers {
    static let port = TestEnvironment.variable("REDIS_PORT")
    static let socket = TestEnvironment.variable("REDIS_SOCKET")
    static let faultPort = TestEnvironment.variable("REDIS_FAULT_PORT")
    static let script = TestEnvironment.variable("REDIS_SCRIPT")
    static let sentinelPort = TestEnvironment.variable("REDIS_SENTINEL_PORT")
    static let sentinelMaster = TestEnvironment.variable("REDIS_SENTINEL_MASTER")
    static let sentinelNodePorts = TestEnvironment.variable("REDIS_SENTINEL_NODE_PORTS")?.split(separator: ",").map(String.init) ?? []

    static var available: Bool { port != nil && socket != nil }
    static var faultAvailable: Bool { faultPort != nil && script != nil }
    static var sentinelAvailable: Bool { sentinelPort != nil && sentinelMaster != nil && sentinelNodePorts.count == 2 }

    /// Runs redis-cli against a port and database; returns its exit status.
    @discardableResult
    static func cli(port: String, database: Int = 0, _ arguments: [String]) -> Int32 {
        // capture, not run: redis-cli's output would mix with the test report.
        (try? TestEnvironment.capture("/usr/bin/redis-cli", ["-p", port, "-n", String(database)] + arguments))?.status ?? 127
    }

    /// Runs redis-cli and returns what it printed.
    static func output(port: String, database: Int = 0, _ arguments: [String]) throws -> String {
        try TestEnvironment.capture("/usr/bin/redis-cli", ["-p", port, "-n", String(database)] + arguments).stdout
    }

    /// A server of redis.sh: the fault server, or `node1`/`node2` of the Sentinel pair.
    static func control(server: String? = nil) throws -> ServerControl {
        ServerControl(script: try #require(script), server: server)
    }
}

/// A private directory with a config file and the table's stderr log.
struct RedisFixture: TableFixture {
    static let program = "table-redis"
    static let tableName = "users"
    let directory = TestEnvironment.makeTemporaryDirectory("table-redis")
    var config: String { "\(directory)/redis.conf" }

    init(_ text: String, mode: mode_t = 0o600) throws {
        try TestEnvironment.write(text, to: config, mode: mode)
    }

    func rewrite(_ text: String) throws {
        try TestEnvironment.write(text, to: config, mode: 0o600)
    }
}

/// Fails the run when the servers are required (scripts/test.sh, CI) but were not started.
@Suite struct RedisServersPresent {
    @Test(.enabled(if: TestEnvironment.serversRequired)) func redisTestServersAreRunning() {
        #expect(RedisServers.available, "REDIS_PORT/REDIS_SOCKET missing: run scripts/servers/redis.sh start and source redis.env")
        #expect(RedisServers.faultAvailable, "REDIS_FAULT_PORT missing")
        #expect(RedisServers.sentinelAvailable, "REDIS_SENTINEL_PORT missing")
    }
}
