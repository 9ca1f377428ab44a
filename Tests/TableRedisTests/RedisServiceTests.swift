import Testing
import TableDriver
import TableTestSupport

/// table-redis against the real redis-server: every service, every reply shape, hostile keys.
@Suite(.enabled(if: RedisServers.available)) struct RedisServiceTests {
    static let hash = "$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS"
    var port: String { RedisServers.port! }

    func load(_ database: Int, _ commands: [[String]]) {
        RedisServers.cli(port: port, database: database, ["FLUSHDB"])
        for command in commands {
            #expect(RedisServers.cli(port: port, database: database, command) == 0, "redis-cli \(command)")
        }
    }

    /// `relay src` on Redis: `fetch_source` lists the addresses, which rotate in byte order
    /// as the SQL backends' do, reloaded after `fetch_source_refresh` fetches; `source` is
    /// registered only with it.
    @Test func fetchSourceRotatesThroughTheAddresses() throws {
        load(9, [["SADD", "relays", "192.0.2.7", "192.0.2.10", "192.0.2.9"]])
        let fixture = try RedisFixture("master 127.0.0.1\nmaster_port \(port)\ndatabase 9\nfetch_source SMEMBERS relays\nfetch_source_refresh 3\n")
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        #expect(try table.handshake().contains("source"))
        var fetched: [String] = []
        for _ in 0..<3 { fetched.append(try table.request("fetch", "source")) }
        #expect(fetched == ["found|192.0.2.10", "found|192.0.2.7", "found|192.0.2.9"])
        // After three fetches the set is read again: a removed address is gone.
        #expect(RedisServers.cli(port: port, database: 9, ["SREM", "relays", "192.0.2.10"]) == 0)
        #expect(try table.request("fetch", "source") == "found|192.0.2.7")
        #expect(try table.request("fetch", "source") == "found|192.0.2.9")
        #expect(try table.request("fetch", "alias") == "error|fetch is only supported for source")
        // An empty set is not-found after the next reload.
        #expect(RedisServers.cli(port: port, database: 9, ["DEL", "relays"]) == 0)
        _ = try table.request("fetch", "source")
        #expect(try table.request("fetch", "source") == "not-found")
        table.closeInput()
        #expect(table.wait() == 0)
    }

    @Test func fetchSourceTakesNoKey() throws {
        let fixture = try RedisFixture("master 127.0.0.1\nmaster_port \(port)\nfetch_source SMEMBERS relays:%s\n")
        defer { fixture.cleanUp() }
        let result = try TestEnvironment.capture(RedisFixture.binary, ["-n", fixture.config])
        #expect(result.status == 1)
        #expect(result.stderr.contains(":3: fetch_source: takes no key (%s)"))
    }

    @Test func upstreamDefaultTemplates() throws {
        load(1, [
            ["SET", "alias:root", "alice, bob"],
            ["SET", "domain:example.org", "example.org"],
            ["SET", "credentials:alice", "alice:\(Self.hash)"],
            ["SET", "netaddr:192.0.2.1", "192.0.2.1"],
            ["SET", "userinfo:alice", "1000:1000:/home/alice"],
            ["SET", "source:relay", "192.0.2.25"],
            ["SET", "mailaddr:alice@example.org", "alice@example.org"],
            ["SET", "addrname:192.0.2.25", "mx.example.org"],
        ])
        let fixture = try RedisFixture("master 127.0.0.1\nmaster_port \(port)\ndatabase 1\n")
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        #expect(try table.handshake() == ["alias", "domain", "credentials", "netaddr", "userinfo", "mailaddr", "addrname"])
        #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
        #expect(try table.request("lookup", "domain", key: "example.org") == "found|example.org")
        #expect(try table.request("lookup", "credentials", key: "alice") == "found|alice:\(Self.hash)")
        #expect(try table.request("lookup", "netaddr", key: "192.0.2.1") == "found|192.0.2.1")
        #expect(try table.request("lookup", "userinfo", key: "alice") == "found|1000:1000:/home/alice")
        #expect(try table.request("lookup", "source", key: "relay") == "found|192.0.2.25")
        #expect(try table.request("lookup", "mailaddr", key: "alice@example.org") == "found|alice@example.org")
        #expect(try table.request("lookup", "addrname", key: "192.0.2.25") == "found|mx.example.org")
        for service in ["alias", "domain", "credentials", "netaddr", "userinfo", "source", "mailaddr", "addrname"] {
            // A missing key (nil) is not-found on lookup (upstream: error) and on check.
            #expect(try table.request("lookup", service, key: "nobody") == "not-found")
            #expect(try table.request("check", service, key: "nobody") == "not-found")
        }
        #expect(try table.request("check", "domain", key: "example.org") == "found")
        #expect(try table.request("check", "netaddr", key: "192.0.2.1") == "found")
        #expect(try table.request("lookup", "mailaddrmap", key: "alice") == "error|no query_mailaddrmap configured")
        #expect(try table.request("check", "string", key: "x") == "error|table-redis does not serve string")
        #expect(try table.request("fetch", "source") == "error|no fetch_source configured")
        #expect(try table.request("fetch", "alias") == "error|fetch is only supported for source")
        // Credential values never reach the log, even with -v off or on.
        #expect(!fixture.log().contains(Self.hash))
    }

    static let customConfig = """
        # the man page's examples
        master 127.0.0.1
        master_port PORT
        database 2
        query_alias LRANGE aliases:%s 0 -1
        query_domain SISMEMBER domains %s
        query_credentials HMGET user:%s login passwd
        query_userinfo HMGET user:%s uid gid maildir
        query_mailaddr SISMEMBER addresses %s
        query_mailaddrmap LRANGE senders:%s 0 -1
        query_netaddr HLEN netaddr:%s
        query_source PING
        query_addrname GET %s
        """

    @Test func everyReplyShape() throws {
        load(2, [
            ["RPUSH", "aliases:root", "alice", "bob"],
            ["SADD", "domains", "example.org"],
            ["HSET", "user:alice", "login", "alice", "passwd", "{CRYPT}\(Self.hash)", "uid", "1000", "gid", "100", "maildir", "/var/mail/alice"],
            ["HSET", "user:half", "login", "half", "uid", "7"],
            ["SADD", "addresses", "alice@example.org"],
            ["RPUSH", "senders:alice", "alice@example.org", "postmaster@example.org"],
            ["HSET", "netaddr:one", "a", "1"],
            ["HSET", "netaddr:two", "a", "1", "b", "2"],
            ["SET", "aliases:string", "x"],
            ["SET", "empty", ""],
            ["SET", "newline", "a\nb"],
            ["SET", "big", String(repeating: "b", count: 2048)],
            ["SET", "max", String(repeating: "m", count: 2047)],
        ])
        let fixture = try RedisFixture(Self.customConfig.replacingOccurrences("PORT", port))
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        #expect(try table.handshake() == ["alias", "domain", "credentials", "netaddr", "userinfo", "mailaddr", "addrname", "mailaddrmap"])
        // arrays
        #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
        #expect(try table.request("lookup", "alias", key: "nobody") == "not-found")
        #expect(try table.request("check", "alias", key: "root") == "found")
        #expect(try table.request("check", "alias", key: "nobody") == "not-found")
        #expect(try table.request("lookup", "mailaddrmap", key: "alice") == "found|alice@example.org, postmaster@example.org")
        #expect(try table.request("lookup", "credentials", key: "alice") == "found|alice:\(Self.hash)")
        #expect(try table.request("lookup", "userinfo", key: "alice") == "found|1000:100:/var/mail/alice")
        // array of nils (HMGET of an unknown user): not-found; array with some nils: error
        #expect(try table.request("lookup", "credentials", key: "bob") == "not-found")
        #expect(try table.request("lookup", "userinfo", key: "bob") == "not-found")
        #expect(try table.request("check", "credentials", key: "bob") == "not-found")
        #expect(try table.request("lookup", "credentials", key: "half") == "error|HMGET returned an array with missing (nil) elements")
        // integers
        #expect(try table.request("check", "domain", key: "example.org") == "found")
        #expect(try table.request("check", "domain", key: "example.net") == "not-found")
        #expect(try table.request("lookup", "domain", key: "example.org") == "found|example.org")
        #expect(try table.request("lookup", "domain", key: "example.net") == "not-found")
        #expect(try table.request("lookup", "mailaddr", key: "alice@example.org") == "found|alice@example.org")
        #expect(try table.request("check", "netaddr", key: "one") == "found")
        #expect(try table.request("check", "netaddr", key: "none") == "not-found")
        #expect(try table.request("check", "netaddr", key: "two") == "error|HLEN returned the integer 2; a check needs 1 or 0")
        #expect(try table.request("lookup", "netaddr", key: "one") == "error|HLEN returned an integer; netaddr lookups need a string or an array")
        // status and error replies
        #expect(try table.request("lookup", "source", key: "x") == "error|PING returned the status \"PONG\", not data")
        #expect(try table.request("check", "source", key: "x") == "error|PING returned the status \"PONG\", not data")
        let wrongType = try table.request("lookup", "alias", key: "string")
        #expect(wrongType.hasPrefix("error|redis: WRONGTYPE"))
        // strings that smtpd could not take
        #expect(try table.request("lookup", "addrname", key: "empty") == "error|GET returned an empty string")
        #expect(try table.request("check", "addrname", key: "empty") == "found")
        #expect(try table.request("lookup", "addrname", key: "newline") == "error|value contains a line break")
        #expect(try table.request("lookup", "addrname", key: "big") == "error|value too large (2048 bytes)")
        #expect(try table.request("lookup", "addrname", key: "max") == "found|" + String(repeating: "m", count: 2047))
        // the connection survives error replies
        #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
    }

    @Test func hostileKeysAreOneArgument() throws {
        let keys = ["a b c", "%s %d %%", "x\ry", "*", "k|with|pipes", String(repeating: "k", count: 1023), "\"quoted\" 'q'"]
        load(3, keys.enumerated().map { ["SET", "k:\($0.element)", "v\($0.offset)"] } + [["SET", "k:", "empty key"]])
        try RedisFixture("master_port \(port)\ndatabase 3\nquery_alias GET k:%s\n").withTable { table throws in
            for (index, key) in keys.enumerated() {
                #expect(try table.request("lookup", "alias", key: key) == "found|v\(index)", "key \(key.prefix(20))")
            }
            #expect(try table.request("lookup", "alias", key: "") == "found|empty key")
            #expect(try table.request("lookup", "alias", key: "a") == "not-found")
            #expect(try table.request("lookup", "alias", key: "nobody FLUSHDB") == "not-found")
            #expect(try RedisServers.output(port: port, database: 3, ["EXISTS", "k:nobody"]) == "0\n")
            #expect(try RedisServers.output(port: port, database: 3, ["DBSIZE"]).hasPrefix("\(keys.count + 1)"))
        }
    }

    @Test func unixSocketAndACLUser() throws {
        let socket = RedisServers.socket!
        RedisServers.cli(port: port, ["ACL", "SETUSER", "smtpd", "on", ">s3cret-pass", "~*", "+@all"])
        load(4, [["SET", "alias:root", "alice"], ["SET", "credentials:alice", "alice:\(Self.hash)"]])
        let fixture = try RedisFixture("master unix:\(socket)\nusername smtpd\npassword s3cret-pass\ndatabase 4\n", mode: 0o644)
        try fixture.withTable { table throws in
            #expect(try table.request("lookup", "alias", key: "root") == "found|alice")
            #expect(try table.request("lookup", "credentials", key: "alice") == "found|alice:\(Self.hash)")

            try fixture.rewrite("master unix:\(socket)\nusername smtpd\npassword wrong-pass\ndatabase 4\n")
            let refused = try table.request("update")
            #expect(refused.hasPrefix("error|configuration not reloaded: redis at unix:\(socket) refused AUTH: WRONGPASS"))
            #expect(try table.request("lookup", "alias", key: "root") == "found|alice")
            table.closeInput()
            #expect(table.wait() == 0)
            let log = fixture.log()
            #expect(log.contains("holds a password and is readable by every user"))
            #expect(!log.contains("s3cret-pass") && !log.contains("wrong-pass") && !log.contains(Self.hash))
        }
    }

    @Test func replicaServesWhileThePrimaryIsDownAndPasswordIsSent() throws {
        load(8, [["SET", "alias:root", "from-replica"]])
        // Nothing listens on the closed port: the "slave" answers (upstream: also tried host "NULL").
        let fixture = try RedisFixture("master 127.0.0.1\nmaster_port \(TestEnvironment.closedPorts[0])\nslave 127.0.0.1\nslave_port \(port)\ndatabase 8\ntimeout 1\n")
        try fixture.withTable { table throws in
            #expect(try table.request("lookup", "alias", key: "root") == "found|from-replica")
            let check = try TestEnvironment.capture(RedisFixture.binary, ["-n", fixture.config])
            #expect(check.status == 0)
            #expect(check.stdout == "configuration OK (serves alias, domain, credentials, netaddr, userinfo, mailaddr, addrname)\n")

            // A password without username is AUTH <password>; this server's default user has none.
            try fixture.rewrite("master_port \(port)\npassword not-needed\n")
            let refused = try table.request("update")
            #expect(refused.hasPrefix("error|configuration not reloaded: redis at 127.0.0.1:\(port) refused AUTH:"))
            #expect(!fixture.log().contains("not-needed"))
        }
    }

    @Test func pipelinedRequestsOnSeveralConnections() throws {
        load(5, (0..<40).map { ["SET", "alias:user\($0)", "box\($0)"] })
        try RedisFixture("master_port \(port)\ndatabase 5\nmax_connections 4\n").withTable { table throws in
            let requests = (0..<80).map { (operation: "lookup", service: "alias", key: "user\($0)") }
            #expect(try table.pipeline(requests) == (0..<80).map { $0 < 40 ? "found|box\($0)" : "not-found" })
        }
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
