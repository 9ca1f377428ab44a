import Testing
import TableDriver
import TableTestSupport

/// table-redis on the fault server (REDIS_FAULT_PORT) for the answer cache checks: the
/// default `query_alias GET alias:%s`, values set with redis-cli.
extension RedisFixture: CacheFixture {
    static func make() throws -> RedisFixture { try RedisFixture("") }
    static var outages: [Outage] { [.stopped, .frozen, .killed] }
    static var port: String { RedisServers.faultPort ?? "" }

    func writeCacheConfig(_ cache: String) throws {
        try rewrite("master 127.0.0.1\nmaster_port \(Self.port)\ntimeout \(Int(Self.timeout))\n" + cache)
    }

    func setAlias(_ key: String, to value: String?) throws {
        let arguments = value.map { ["SET", "alias:\(key)", $0] } ?? ["DEL", "alias:\(key)"]
        let status = RedisServers.cli(port: Self.port, arguments)
        guard status == 0 else { throw DriverError("redis-cli \(arguments) failed with status \(status)") }
    }

    /// Halted (killed as in a crash: it comes back empty), frozen, or every client's
    /// connection killed (CLIENT KILL TYPE normal).
    func begin(_ outage: Outage) throws {
        switch outage {
        case .stopped: try RedisServers.control().halt()
        case .frozen: try RedisServers.control().freeze()
        case .killed:
            let status = RedisServers.cli(port: Self.port, ["CLIENT", "KILL", "TYPE", "normal"])
            guard status == 0 else { throw DriverError("CLIENT KILL failed with status \(status)") }
        case .locked: throw DriverError("table-redis: no locked outage")
        }
    }

    func end(_ outage: Outage) throws {
        switch outage {
        case .stopped: try RedisServers.control().resume()
        case .frozen: try RedisServers.control().thaw()
        case .killed, .locked: break
        }
    }
}

/// The answer cache against the fault server halted, frozen and killing its clients
/// (CacheChecks). In the fault tests' serialized suite: they stop that server.
extension RedisFaultTests {
    @Test(arguments: RedisFixture.cacheChecks) func cache(_ check: CacheCheck) throws {
        try check.run(on: RedisFixture.self)
    }
}
