import Testing
import TableDriver

/// table-sqlite spawned as smtpd spawns it, on a real database file.
@Suite struct SQLiteServiceTests {
    @Test func registersExactlyTheConfiguredServices() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        #expect(try table.handshake() == ["alias", "domain", "credentials", "netaddr", "userinfo", "source", "mailaddr", "addrname", "mailaddrmap"])

        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = ?\nquery_auth SELECT password FROM credentials WHERE email = ?")
        let narrow = try fixture.start()
        #expect(try narrow.handshake() == ["domain", "auth"])
    }

    @Test func everyServiceFoundAndNotFound() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()

        #expect(try table.request("lookup", "alias", key: "postmaster@example.org") == "found|alice@example.org, bob@example.org")
        #expect(try table.request("lookup", "alias", key: "@example.net") == "found|alice@example.org")
        #expect(try table.request("lookup", "alias", key: "nobody@example.org") == "not-found")
        #expect(try table.request("check", "alias", key: "alice@example.org") == "found")
        #expect(try table.request("check", "domain", key: "example.org") == "found")
        #expect(try table.request("check", "domain", key: "example.com") == "not-found")
        #expect(try table.request("lookup", "domain", key: "example.net") == "found|example.net")
        #expect(try table.request("lookup", "credentials", key: "alice@example.org") == "found|alice@example.org:$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS")
        #expect(try table.request("lookup", "credentials", key: "bob@example.org") == "found|bob@example.org:$2b$08$Xb1UHCS7lvOaIcA/wS84Zuw/EnTHjcWtwjwZMIR0kiGn/nCBZgZtq")
        #expect(try table.request("lookup", "credentials", key: "carol@example.org") == "not-found")
        #expect(try table.request("check", "netaddr", key: "127.0.0.1") == "found")
        #expect(try table.request("check", "netaddr", key: "[::1]") == "found")
        #expect(try table.request("check", "netaddr", key: "10.0.0.1") == "not-found")
        #expect(try table.request("lookup", "userinfo", key: "vmail") == "found|5000:5000:/var/vmail")
        #expect(try table.request("lookup", "userinfo", key: "big") == "found|4294967295:4294967295:/big")
        #expect(try table.request("lookup", "userinfo", key: "root") == "not-found")
        #expect(try table.request("check", "source", key: "192.0.2.2") == "found")
        #expect(try table.request("check", "mailaddr", key: "alice@example.org") == "found")
        #expect(try table.request("check", "mailaddr", key: "eve@example.org") == "not-found")
        #expect(try table.request("lookup", "addrname", key: "192.0.2.1") == "found|mx.example.org")
        #expect(try table.request("lookup", "mailaddrmap", key: "alice@example.org") == "found|alice@example.org, @example.net")
        #expect(try table.request("lookup", "mailaddrmap", key: "bob@example.org") == "not-found")
    }

    @Test func fetchRotatesSortedAddressesLikeUpstream() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        // Sorted, duplicates merged, reloaded (back to the smallest) every 2 calls.
        let answers = try (0..<5).map { _ in try table.request("fetch", "source") }
        #expect(answers == ["found|192.0.2.1", "found|192.0.2.2", "found|192.0.2.1", "found|192.0.2.2", "found|192.0.2.1"])
        #expect(try table.request("fetch", "alias") == "error|fetch is only supported for source")
    }

    @Test func badDataIsAnErrorNeverAnEmptyOrBrokenReply() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        #expect(try table.request("lookup", "alias", key: "nullonly@example.org") == "not-found")
        #expect(try table.request("lookup", "alias", key: "crlf@example.org") == "error|value contains a line break")
        #expect(try table.request("lookup", "alias", key: "big@example.org") == "error|query_alias result too large (over 2047 bytes)")
        #expect(try table.request("lookup", "credentials", key: "nopass@example.org") == "error|query_credentials returned NULL in column 2")
        #expect(try table.request("lookup", "credentials", key: "empty@example.org") == "error|query_credentials returned an empty value in column 2")
        #expect(try table.request("lookup", "userinfo", key: "negative").hasPrefix("error|query_userinfo returned a uid or gid"))
        #expect(try table.request("lookup", "userinfo", key: "nohome") == "error|query_userinfo returned NULL in column 3")
        // After all that, the stream is still in step.
        #expect(try table.request("check", "domain", key: "example.org") == "found")
    }

    @Test func servicesWithoutAQueryAndUnknownServicesAnswerError() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        try fixture.writeConfig("query_domain SELECT domain FROM domains WHERE domain = ?")
        let table = try fixture.start()
        _ = try table.handshake()
        #expect(try table.request("lookup", "alias", key: "x") == "error|no query_alias configured")
        #expect(try table.request("check", "relayhost", key: "x") == "error|no query_relayhost configured")
        #expect(try table.request("check", "regex", key: "x") == "error|no query_regex configured")
        #expect(try table.request("check", "string", key: "x") == "error|no query_string configured")
        #expect(try table.request("fetch", "source") == "error|no fetch_source configured")
        #expect(try table.request("check", "frobnicate", key: "x") == "error|unsupported service \"frobnicate\"")
        #expect(try table.request("lookup", "auth", key: "a:b") == "error|auth is answered by check, not lookup")
        #expect(try table.request("check", "domain", key: "example.org") == "found")
    }

    @Test func hostileKeysAreBoundNotInterpolated() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        _ = try table.handshake()
        for key in ["'; DROP TABLE virtuals; --", "' OR '1'='1", "\" OR 1=1 --", "\\", "%@example.org", "a_ice@example.org", "a?b", "?1"] {
            #expect(try table.request("lookup", "alias", key: key) == "not-found", "key \(key)")
        }
        #expect(try table.request("lookup", "alias", key: "%") == "found|percent")
        #expect(try table.request("lookup", "alias", key: "_") == "found|underscore")
        #expect(try table.request("lookup", "alias", key: "pipe|key") == "found|piped")
        #expect(try table.request("lookup", "alias", keyBytes: Array(repeating: UInt8(ascii: "a"), count: 1023)) == "not-found")
        #expect(try table.request("lookup", "alias", keyBytes: [0xff, 0xfe, 0x80, 0x0d]) == "not-found")
        #expect(try table.request("lookup", "alias", key: "") == "not-found")
        // The table is intact.
        #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
    }

    @Test func authVerifiesTheStoredHash() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        try fixture.writeConfig("query_auth SELECT password FROM credentials WHERE email = ?")
        let table = try fixture.start()
        #expect(try table.handshake() == ["auth"])
        #expect(try table.request("check", "auth", key: "alice@example.org:alice-secret") == "found")
        #expect(try table.request("check", "auth", key: "bob@example.org:bob-secret") == "found")
        #expect(try table.request("check", "auth", key: "alice@example.org:bob-secret") == "not-found")
        #expect(try table.request("check", "auth", key: "alice@example.org:") == "not-found")
        #expect(try table.request("check", "auth", key: "nobody@example.org:alice-secret") == "not-found")
        #expect(try table.request("check", "auth", key: "nopass@example.org:x") == "not-found")
        #expect(try table.request("check", "auth", key: "no-colon") == "error|auth key is not user:password")
        // A password with ':' in it: the user name ends at the first ':'.
        try fixture.sql("INSERT INTO credentials VALUES ('colon@example.org', '$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS');")
        #expect(try table.request("check", "auth", key: "colon@example.org:alice-secret") == "found")
        table.closeInput()
        #expect(table.wait() == 0)
        // Neither the password nor the hash reached the log.
        let log = fixture.log()
        #expect(!log.contains("alice-secret"))
        #expect(!log.contains("bob-secret"))
        #expect(!log.contains("$2b$"))
    }
}
