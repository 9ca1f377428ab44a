#if canImport(Glibc)
import Glibc
#endif
import Testing
import TableDriver
import TableTestSupport

/// table-socketmap against our socketmap server: both framings, unix and TCP, every reply.
@Suite(.enabled(if: SocketmapServers.available)) struct SocketmapServiceTests {
    static let hash = "$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS"

    /// What every server answers, whatever the framing.
    func expectEveryReply(_ table: TableProcess) throws {
        #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
        #expect(try table.request("lookup", "alias", key: "nobody") == "not-found")
        #expect(try table.request("lookup", "credentials", key: "alice") == "found|alice:\(Self.hash)")
        #expect(try table.request("lookup", "userinfo", key: "uid:alice") == "found|1000:1000:/home/alice")
        #expect(try table.request("lookup", "addrname", key: "127.0.0.1") == "found|localhost")
        #expect(try table.request("lookup", "mailaddrmap", key: "alice@example.org") == "found|alice")
        // check works (upstream: always error)
        #expect(try table.request("check", "domain", key: "example.org") == "found")
        #expect(try table.request("check", "domain", key: "example.net") == "not-found")
        #expect(try table.request("check", "netaddr", key: "empty") == "found")
        // reply words
        #expect(try table.request("lookup", "alias", key: "notfound-bare") == "not-found")
        #expect(try table.request("lookup", "alias", key: "notfound-lower") == "not-found")
        #expect(try table.request("lookup", "alias", key: "lower") == "found| v")
        #expect(try table.request("lookup", "alias", key: "temp") == "error|socketmap server answered TEMP: try later")
        #expect(try table.request("lookup", "alias", key: "timeout") == "error|socketmap server answered TIMEOUT: backend slow")
        #expect(try table.request("lookup", "alias", key: "perm") == "error|socketmap server answered PERM: broken map")
        #expect(try table.request("lookup", "alias", key: "empty") == "error|socketmap server answered OK with an empty value")
        #expect(try table.request("lookup", "alias", key: "ok-bare") == "error|unrecognized socketmap reply")
        #expect(try table.request("lookup", "alias", key: "garbage") == "error|unrecognized socketmap reply")
        #expect(try table.request("lookup", "alias", key: "max") == "found|" + String(repeating: "m", count: 2047))
        #expect(try table.request("lookup", "alias", key: "big") == "error|value too large (2048 bytes)")
        #expect(try table.request("lookup", "alias", key: "huge") == "error|socketmap: socketmap reply too large")
        // the connection is re-made after the oversized reply, and answers stay in step
        #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
        #expect(try table.request("lookup", "alias", key: "double") == "error|socketmap: the server sent more than one reply")
        #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
        // a reply nobody asked for, arriving after the answer: found before the next
        // request goes out (the connection sat idle), which gets its own answer
        #expect(try table.request("lookup", "alias", key: "late") == "found|one")
        usleep(200_000)
        #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
        #expect(try table.request("lookup", "alias", key: "lower") == "found| v")
        #expect(try table.request("lookup", "alias", key: "half") == "error|socketmap: the server closed the connection in the middle of a reply")
        #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
        // hostile keys reach the server as one key
        #expect(try table.request("lookup", "alias", key: "with space") == "found|key with a space")
        #expect(try table.request("lookup", "alias", key: "pipe|key") == "found|key with a pipe")
        #expect(try table.request("lookup", "alias", key: "echo:%s %d") == "found|echo:%s %d")
        let long = "echo:" + String(repeating: "k", count: 1018)
        #expect(try table.request("lookup", "alias", key: long) == "found|" + long)
        // not served
        #expect(try table.request("fetch", "source") == "error|table-socketmap does not support fetch")
        #expect(try table.request("check", "string", key: "x") == "error|table-socketmap does not serve string")
        #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
    }

    @Test func upstreamFormSocketPathWithLineFraming() throws {
        let fixture = try SocketmapFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start(SocketmapServers.lineSocket!, tableName: "virtuals")
        // Not source: smtpd only fetches it, and a socketmap cannot answer a fetch.
        #expect(try table.handshake() == ["alias", "domain", "credentials", "netaddr", "userinfo", "mailaddr", "addrname", "mailaddrmap"])
        // The map name is the table's name.
        #expect(try table.request("lookup", "alias", key: "whoami") == "found|virtuals")
        try expectEveryReply(table)
        // A key with CR or LF cannot be carried by line framing (the server would read
        // `echo:x\r` as `echo:x`): refused, never sent, and the stream stays in step.
        let lineBreak = "error|the key contains a line break, which the line protocol cannot carry (use protocol netstring)"
        #expect(try table.request("lookup", "alias", key: "echo:x\r") == lineBreak)
        #expect(try table.request("check", "alias", key: "echo:a\rb") == lineBreak)
        #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
        table.closeInput()
        #expect(table.wait() == 0)
        #expect(!fixture.log().contains(Self.hash))
    }

    @Test func netstringOverTCPWithAMapName() throws {
        let fixture = try SocketmapFixture(config: """
            # Postfix-style socketmap server
            socket inet:127.0.0.1:\(SocketmapServers.netstringPort!)
            protocol netstring
            map users
            timeout 2
            """)
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        #expect(try table.request("lookup", "alias", key: "whoami") == "found|users")
        try expectEveryReply(table)
        // Netstrings carry any byte: the CR is in the value, which smtpd cannot take.
        #expect(try table.request("lookup", "alias", key: "echo:x\ry") == "error|value contains a line break")
        #expect(try table.request("lookup", "alias", key: "root") == "found|alice, bob")
    }

    @Test func pipelinedRequestsAreEachAnsweredOnce() throws {
        let fixture = try SocketmapFixture(config: "socket \(SocketmapServers.lineSocket!)\nmap m\n")
        try fixture.withTable { table throws in
            let cases: [(String, String)] = [
                ("root", "found|alice, bob"), ("nobody", "not-found"), ("temp", "error|socketmap server answered TEMP: try later"),
                ("double", "error|socketmap: the server sent more than one reply"), ("echo:a b", "found|echo:a b"),
                ("close", "error|socketmap: the server closed the connection"), ("whoami", "found|m"),
            ]
            let requests = (0..<42).map { (operation: "lookup", service: "alias", key: cases[$0 % cases.count].0) }
            #expect(try table.pipeline(requests) == (0..<42).map { cases[$0 % cases.count].1 })
            let check = try TestEnvironment.capture(SocketmapFixture.binary, ["-n", fixture.config])
            #expect(check.status == 0)
            #expect(check.stdout.hasPrefix("configuration OK"))
        }
    }

    @Test func netstringOnAUnixSocketAndLineOverTCP() throws {
        try SocketmapFixture(config: "socket unix:\(SocketmapServers.netstringSocket!)\nprotocol netstring\n").withTable(tableName: "t1") { first throws in
            #expect(try first.request("lookup", "alias", key: "whoami") == "found|t1")
            #expect(try first.request("lookup", "alias", key: "root") == "found|alice, bob")
        }
        try SocketmapFixture(config: "socket inet:127.0.0.1:\(SocketmapServers.linePort!)\nprotocol line\n").withTable(tableName: "t2") { second throws in
            #expect(try second.request("lookup", "alias", key: "whoami") == "found|t2")
            #expect(try second.request("check", "alias", key: "root") == "found")
        }
    }
}

/// Config files and the command line.
@Suite struct SocketmapConfigTests {
    @Test func problemsAreReportedWithTheirLines() throws {
        let fixture = try SocketmapFixture(config: "protocol postfix\nsockets /x\ntimeout 0\nmap a b\n")
        defer { fixture.cleanUp() }
        let result = try TestEnvironment.capture(SocketmapFixture.binary, ["-n", fixture.config])
        #expect(result.status == 1)
        let c = fixture.config
        #expect(result.stderr == """
            \(c):1: "protocol" must be line or netstring, not "postfix"
            \(c):2: unknown keyword "sockets"
            \(c):3: "timeout" must be a whole number from 1 to 300, not "0"
            \(c):4: "map" cannot contain spaces or line breaks
            \(c): missing "socket": the server's unix socket path or inet:host:port

            """)
    }

    @Test func aSocketThatIsNotThereIsAnErrorPerRequestNotAtStartup() throws {
        let fixture = try SocketmapFixture()
        defer { fixture.cleanUp() }
        let path = "\(fixture.directory)/missing.sock"
        let table = try fixture.start(path)
        #expect(try table.handshake().count == 8)
        let start = monotonicNow()
        #expect(try table.request("lookup", "alias", key: "root") == "error|socketmap: cannot connect to \(path): No such file or directory")
        #expect(monotonicNow() - start < 1)
        let check = try TestEnvironment.capture(SocketmapFixture.binary, ["-n", path])
        #expect(check.status == 1)
        #expect(check.stderr.contains("No such file or directory"))
    }
}
