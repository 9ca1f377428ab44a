import Testing
import TableDriver
@testable import table_redis

/// Config files read without a server: defaults, endpoints, Sentinel.
@Suite struct RedisConfigUnitTests {
    func load(_ text: String) throws -> RedisConfig {
        try TestEnvironment.withFile(text, named: "redis.conf") { try RedisConfig.load($0) }
    }

    @Test func anEmptyFileGivesUpstreamsDefaults() throws {
        let config = try load("# nothing\n")
        #expect(config.topology == .fixed(primary: .tcp(host: "127.0.0.1", port: 6379), replica: nil))
        // source has a default command (lookups), but is registered only with fetch_source.
        #expect(config.services == [.alias, .domain, .credentials, .netaddr, .userinfo, .mailaddr, .addrname])
        #expect(config.template(for: .alias)?.argv(key: Array("k".utf8)) == [Array("GET".utf8), Array("alias:k".utf8)])
        #expect(config.database == 0 && config.timeoutSeconds == 5 && config.maximumConnections == 4)
        #expect(config.password == nil && config.username == nil)
    }

    @Test func upstreamSyntaxVariants() throws {
        let config = try load("master: unix:/run/redis.sock\nslave ::1\nslave_port: 6390\npassword: a b #c\ndatabase 3\nquery_mailaddrmap SMEMBERS senders:%s\n")
        #expect(config.topology == .fixed(primary: .unix(path: "/run/redis.sock"), replica: .tcp(host: "::1", port: 6390)))
        #expect(config.password == "a b #c")
        #expect(config.database == 3)
        #expect(config.services.last == .mailaddrmap)
    }

    @Test func sentinels() throws {
        let config = try load("sentinel 10.0.0.1:26379\nsentinel [::1]:26380\nsentinel unix:/run/sentinel.sock\nsentinel_master mail\n")
        #expect(config.topology == .sentinel(sentinels: [.tcp(host: "10.0.0.1", port: 26379), .tcp(host: "::1", port: 26380), .unix(path: "/run/sentinel.sock")], name: "mail"))
        #expect(RedisEndpoint.hostAndPort("host") == nil)
        #expect(RedisEndpoint.hostAndPort("::1:26379") == nil)
        #expect(RedisEndpoint.hostAndPort("h:0") == nil)
        #expect(RedisEndpoint.tcp(host: "::1", port: 1).description == "[::1]:1")
    }
}
