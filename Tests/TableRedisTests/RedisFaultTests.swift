#if canImport(Glibc)
import Glibc
#endif
import Testing
import TableDriver
import TableTestSupport

/// Redis down, restarted and frozen, on the server kept for these tests (REDIS_FAULT_PORT):
/// the shared ServerFaultChecks, and a server that is not there at start. Serialized: they
/// stop and freeze that server, and always restore it.
@Suite(.serialized, .enabled(if: RedisServers.faultAvailable)) struct RedisFaultTests {
    typealias Checks = ServerFaultChecks<RedisFixture>

    @Test func downAtStartupThenUp() throws {
        // Nothing listens on the closed port: the handshake still completes and lookups fail fast.
        let closed = TestEnvironment.closedPorts[0]
        let fixture = try RedisFixture(RedisFixture.config(port: closed))
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        #expect(try table.handshake() == RedisFixture.services)
        for _ in 0..<3 {
            let (reply, seconds) = try measureSeconds { try table.request("lookup", "alias", key: "root") }
            #expect(reply.hasPrefix("error|cannot connect to redis at 127.0.0.1:\(closed)"))
            #expect(seconds < 2)
        }
        let check = try fixture.command(["-n", fixture.config])
        #expect(check.status == 1)
        #expect(check.stderr.contains("cannot connect to redis at 127.0.0.1:\(closed)"))
        // The server comes up on the configured address: the table follows after an update.
        try RedisFixture.storeProbeAnswer()
        try fixture.rewrite(RedisFixture.config(port: try #require(RedisServers.faultPort)))
        #expect(try table.request("update") == "ok")
        #expect(try table.request("lookup", "alias", key: "root") == "found|fault-box")
    }

    @Test func serverStoppedAtStartupThenStarted() throws {
        try Checks.serverDownAtStartupThenStarted()
    }

    @Test func restartedMidRun() throws {
        try Checks.serverRestartedMidRunLosesNoRequest { table throws in
            #expect(try table.request("check", "alias", key: "root") == "found")
        }
    }

    @Test func frozenServerAnswersErrorWithinTheTimeout() throws {
        try Checks.frozenServerAnswersErrorWithinTheTimeoutThenRecovers()
    }
}

/// table-redis on the fault server, with upstream's default commands (`GET alias:KEY`...).
extension RedisFixture: ServerFaultFixture {
    static func config(port: some CustomStringConvertible) -> String {
        "master 127.0.0.1\nmaster_port \(port)\ntimeout \(Int(timeout))\n"
    }

    static func faultServer() throws -> ServerControl { try RedisServers.control() }
    static func onFaultServer() throws -> [RedisFixture] { [try RedisFixture(config(port: try #require(RedisServers.faultPort)))] }
    static let timeout = 1.0
    static let services = ["alias", "domain", "credentials", "netaddr", "userinfo", "mailaddr", "addrname"]
    static let probe = FaultProbe(service: "alias", key: "root", reply: "found|fault-box")

    /// The fault server keeps no data across a halt (it is killed, as in a crash).
    static func storeProbeAnswer() throws {
        #expect(RedisServers.cli(port: try #require(RedisServers.faultPort), ["SET", "alias:root", "fault-box"]) == 0)
    }

    static var cannotConnect: String { "error|cannot connect to redis at 127.0.0.1:\(RedisServers.faultPort ?? "")" }
}

/// Config files: upstream's grammar, load-time errors with their line, update.
@Suite struct RedisConfigTests {
    @Test func problemsAreReportedWithTheirLines() throws {
        let fixture = try RedisFixture("""
            master 127.0.0.1
            query_virtuals GET v:%s
            master_port 70000
            query_alias GET alias:%d
            query_alias GET alias:%s
            sentinel 127.0.0.1:26379
            username smtpd
            """)
        defer { fixture.cleanUp() }
        let result = try TestEnvironment.capture(RedisFixture.binary, ["-n", fixture.config])
        #expect(result.status == 1)
        let c = fixture.config
        #expect(result.stderr == """
            \(c):2: unknown keyword "query_virtuals"
            \(c):3: "master_port" must be a whole number from 1 to 65535, not "70000"
            \(c):4: query_alias: unsupported conversion "%d" (only %s, the key, and %% are allowed)
            \(c):5: duplicate keyword "query_alias" (first given on line 4)
            \(c):6: "sentinel" needs "sentinel_master NAME", the name the sentinels monitor
            \(c):7: "username" needs a "password" (AUTH username password)

            """)
    }

    @Test func sentinelCannotBeMixedWithFixedServers() throws {
        let fixture = try RedisFixture("sentinel_master tables\nmaster 10.0.0.1\nsentinel nohost\n")
        defer { fixture.cleanUp() }
        let result = try TestEnvironment.capture(RedisFixture.binary, ["-n", fixture.config])
        #expect(result.status == 1)
        #expect(result.stderr.contains(":2: \"master\" cannot be combined with \"sentinel_master\""))
        #expect(result.stderr.contains(":3: \"sentinel\" must be host:port"))
    }

    @Test func missingFileExitsWithAMessage() throws {
        let result = try TestEnvironment.capture(RedisFixture.binary, argv0: "users", ["/nonexistent/redis.conf"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent/redis.conf: cannot read configuration: No such file or directory"))
    }

    @Test(.enabled(if: RedisServers.available)) func updateKeepsTheOldConfigWhenTheNewOneIsBroken() throws {
        let port = RedisServers.port!
        RedisServers.cli(port: port, database: 6, ["SET", "a:root", "first"])
        RedisServers.cli(port: port, database: 6, ["SET", "b:root", "second"])
        let fixture = try RedisFixture("master_port \(port)\ndatabase 6\nquery_alias GET a:%s\n")
        try fixture.withTable { table throws in
            #expect(try table.request("lookup", "alias", key: "root") == "found|first")
            try fixture.rewrite("master_port \(port)\ndatabase 6\nquery_alias GET b:%x\n")
            #expect(try table.request("update") == "error|configuration not reloaded: \(fixture.config):3: query_alias: unsupported conversion \"%x\" (only %s, the key, and %% are allowed)")
            #expect(TestEnvironment.run(["rm", "-f", fixture.config]) == 0)
            #expect(try table.request("update").hasPrefix("error|configuration not reloaded: \(fixture.config): cannot read configuration"))
            #expect(try table.request("lookup", "alias", key: "root") == "found|first")
            try fixture.rewrite("master_port \(port)\ndatabase 6\nquery_alias GET b:%s\n")
            #expect(try table.request("update") == "ok")
            #expect(try table.request("lookup", "alias", key: "root") == "found|second")
        }
    }
}

/// Sentinel: the table asks for the primary and follows a failover without a restart.
@Suite(.serialized, .enabled(if: RedisServers.sentinelAvailable)) struct RedisSentinelTests {
    var sentinel: String { RedisServers.sentinelPort! }
    var name: String { RedisServers.sentinelMaster! }

    func primaryPort() throws -> String {
        let lines = try RedisServers.output(port: sentinel, ["SENTINEL", "get-master-addr-by-name", name]).split(separator: "\n")
        return lines.count == 2 ? String(lines[1]) : ""
    }

    func config() -> String {
        "sentinel 127.0.0.1:\(TestEnvironment.closedPorts[0])\nsentinel 127.0.0.1:\(sentinel)\nsentinel_master \(name)\ntimeout 1\n"
    }

    @Test func followsAFailover() throws {
        let old = try primaryPort()
        try #require(RedisServers.sentinelNodePorts.contains(old), "sentinel names \(old)")
        RedisServers.cli(port: old, ["SET", "alias:root", "replicated"])
        RedisServers.cli(port: old, ["WAIT", "1", "2000"])
        try RedisFixture(config()).withTable { table throws in
            // The first sentinel is down; the second one answers.
            #expect(try table.request("lookup", "alias", key: "root") == "found|replicated")

            // Right after an earlier failover the sentinel may not know a good replica yet
            // (NOGOODSLAVE) for a few seconds: ask until it starts one.
            var started = ""
            let asking = monotonicNow() + 20
            while monotonicNow() < asking {
                started = try RedisServers.output(port: sentinel, ["SENTINEL", "FAILOVER", name])
                if started == "OK\n" { break }
                usleep(500_000)
            }
            #expect(started == "OK\n")
            var current = old
            let switched = monotonicNow() + 30
            while current == old && monotonicNow() < switched {
                usleep(200_000)
                current = try primaryPort()
            }
            try #require(current != old, "no failover within 30 s")
            // Freeze the old primary: answers can only come from the new one.
            let index = try #require(RedisServers.sentinelNodePorts.firstIndex(of: old))
            let node = try RedisServers.control(server: "node\(index + 1)")
            try node.freeze()
            defer { try? node.thaw() }
            var reply = ""
            let deadline = monotonicNow() + 15
            while monotonicNow() < deadline {
                let start = monotonicNow()
                reply = try table.request("lookup", "alias", key: "root")
                #expect(monotonicNow() - start < 2 + 1)
                if reply.hasPrefix("found") { break }
                usleep(200_000)
            }
            #expect(reply == "found|replicated")
            try node.thaw()
            // Leave the pair healthy for the next run: the old primary resyncs as a replica.
            let resync = monotonicNow() + 15
            while monotonicNow() < resync {
                if (try? RedisServers.output(port: old, ["INFO", "replication"]))?.contains("master_link_status:up") == true { break }
                usleep(200_000)
            }
        }
    }
}
