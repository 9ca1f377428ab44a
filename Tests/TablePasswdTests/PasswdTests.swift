import Testing
import TableDriver
import TableTestSupport

/// table-passwd spawned as smtpd spawns it, on real passwd-format files.
@Suite struct PasswdTests {
    static let file = """
        # classic passwd lines
        alice:$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS:5000:5000:Alice:/var/vmail/alice:/sbin/nologin
        bob:{BLF-CRYPT}$2b$08$Xb1UHCS7lvOaIcA/wS84Zuw/EnTHjcWtwjwZMIR0kiGn/nCBZgZtq:5001:5001::/var/vmail/bob
        # Dovecot passwd-file lines: full addresses, extra fields, short lines
        carol@example.org:$6$saltsalt$d574LmfMyQnEYNioegmwjPSZf7ow4NFX5FZoc2y2bcS40Ewc554K6V9ItMeLzi8a1/cxWnKeK1p9.I8yzxa2y0:5002:5002::/var/vmail/example.org/carol::userdb_mail=maildir:~/Maildir
        dave@example.org:{PLAIN}dave
        # capitals are reachable: smtpd asks in lowercase
        Erin@Example.ORG:$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS:4294967295:4294967294::/home/erin
        nopass::1:1::/h
        badid:x:12ab:1::/h
        nohome:x:1:1::
        withcomment:x:7:7::/h # a trailing comment
        alice:$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS:6000:6000:Alice again:/var/vmail/alice2
        crlf:x:8:8::/home/crlf\r

        """

    /// A passwd file of the test's own; the table serves it.
    struct Fixture: TableFixture {
        static let program = "table-passwd"
        static let tableName = "users"
        let directory = TestEnvironment.makeTemporaryDirectory("table-passwd")
        var config: String { "\(directory)/passwd" }

        init(_ contents: String = PasswdTests.file) throws {
            try TestEnvironment.write(contents, to: config)
        }
    }

    @Test func credentialsAndUserinfo() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        #expect(try table.handshake() == ["credentials", "userinfo"])
        #expect(try table.request("lookup", "credentials", key: "bob") == "found|bob:$2b$08$Xb1UHCS7lvOaIcA/wS84Zuw/EnTHjcWtwjwZMIR0kiGn/nCBZgZtq")
        #expect(try table.request("lookup", "userinfo", key: "bob") == "found|5001:5001:/var/vmail/bob")
        // The last of two equal names wins.
        #expect(try table.request("lookup", "userinfo", key: "alice") == "found|6000:6000:/var/vmail/alice2")
        #expect(try table.request("lookup", "credentials", key: "carol@example.org") == "found|carol@example.org:$6$saltsalt$d574LmfMyQnEYNioegmwjPSZf7ow4NFX5FZoc2y2bcS40Ewc554K6V9ItMeLzi8a1/cxWnKeK1p9.I8yzxa2y0")
        #expect(try table.request("lookup", "userinfo", key: "carol@example.org") == "found|5002:5002:/var/vmail/example.org/carol")
        #expect(try table.request("lookup", "credentials", key: "dave@example.org") == "found|dave@example.org:{PLAIN}dave")
        #expect(try table.request("lookup", "userinfo", key: "dave@example.org") == "error|user on line 6 has no valid uid, gid and home")
        // Names with capitals answer the lowercased key, with the stored spelling.
        #expect(try table.request("lookup", "credentials", key: "erin@example.org") == "found|Erin@Example.ORG:$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS")
        #expect(try table.request("lookup", "userinfo", key: "erin@example.org") == "found|4294967295:4294967294:/home/erin")
        #expect(try table.request("lookup", "credentials", key: "nopass") == "error|user on line 9 has no password")
        #expect(try table.request("lookup", "userinfo", key: "nopass") == "found|1:1:/h")
        #expect(try table.request("lookup", "userinfo", key: "badid") == "error|user on line 10 has no valid uid, gid and home")
        #expect(try table.request("lookup", "userinfo", key: "nohome") == "error|user on line 11 has no valid uid, gid and home")
        #expect(try table.request("lookup", "userinfo", key: "withcomment") == "found|7:7:/h ")
        #expect(try table.request("lookup", "userinfo", key: "crlf") == "found|8:8:/home/crlf")
        #expect(try table.request("lookup", "credentials", key: "nobody") == "not-found")
        #expect(try table.request("lookup", "userinfo", key: "") == "not-found")
    }

    @Test func checkAnswersAndOtherServicesError() throws {
        try Fixture().withTable { table throws in
            #expect(try table.request("check", "credentials", key: "alice") == "found")
            #expect(try table.request("check", "userinfo", key: "erin@example.org") == "found")
            #expect(try table.request("check", "credentials", key: "zed") == "not-found")
            #expect(try table.request("lookup", "alias", key: "alice") == "error|table-passwd serves only credentials and userinfo, not alias")
            #expect(try table.request("check", "string", key: "alice") == "error|table-passwd serves only credentials and userinfo, not string")
            #expect(try table.request("fetch", "source") == "error|table-passwd serves only credentials and userinfo, not source")
            for key in ["alice:x", "alice\r", "*", "", String(repeating: "a", count: 1023)] {
                #expect(try table.request("lookup", "credentials", key: key) == "not-found")
            }
        }
    }

    @Test func warningsNameTheLineButNoSecret() throws {
        let fixture = try Fixture()
        try fixture.withTable { table throws in
            table.closeInput()
            #expect(table.wait() == 0)
            let log = fixture.log()
            #expect(log.contains("table-passwd[users]: warning: \(fixture.config):6: the password of dave@example.org uses {PLAIN}, which smtpd cannot verify"))
            #expect(log.contains("\(fixture.config):10: uid or gid of badid is not a number"))
            #expect(log.contains("\(fixture.config):13: alice repeats line 2; the last one is used"))
            #expect(!log.contains("$2b$"))
            #expect(!log.contains("{PLAIN}dave"))
        }
    }

    @Test func badFilesStopTheStartWithTheirLines() throws {
        let fixture = try Fixture("ok:x:1:1::/h\nno-colon-here\n:x:1:1::/h\n   \n" + "long:" + String(repeating: "x", count: 2100) + "\n")
        defer { fixture.cleanUp() }
        let output = try TestEnvironment.capture(PasswdTests.Fixture.binary, ["-n", fixture.config])
        #expect(output.status == 1)
        #expect(output.stderr == """
            \(fixture.config):2: expected name:password[:uid:gid:gecos:home[:shell]], found no ':'
            \(fixture.config):3: empty user name
            \(fixture.config):4: expected name:password[:uid:gid:gecos:home[:shell]], found no ':'
            \(fixture.config):5: line is longer than 2047 bytes

            """)
        let missing = try TestEnvironment.capture(PasswdTests.Fixture.binary, ["-n", "\(fixture.directory)/nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "\(fixture.directory)/nope: cannot read passwd file: No such file or directory\n")
    }

    @Test func updateReloadsAndKeepsTheOldFileWhenTheNewOneIsBad() throws {
        let fixture = try Fixture()
        try fixture.withTable { table throws in
            try TestEnvironment.write("frank:x:9:9::/home/frank\nbroken\n", to: fixture.config)
            #expect(try table.request("update") == "error|configuration not reloaded: \(fixture.config):2: expected name:password[:uid:gid:gecos:home[:shell]], found no ':'")
            #expect(try table.request("lookup", "userinfo", key: "bob") == "found|5001:5001:/var/vmail/bob")
            #expect(try table.request("lookup", "userinfo", key: "frank") == "not-found")
            TestEnvironment.run(["rm", "-f", fixture.config])
            #expect(try table.request("update").hasPrefix("error|configuration not reloaded: \(fixture.config): cannot read passwd file"))
            try TestEnvironment.write("frank:x:9:9::/home/frank\n", to: fixture.config)
            #expect(try table.request("update") == "ok")
            #expect(try table.request("lookup", "userinfo", key: "frank") == "found|9:9:/home/frank")
            #expect(try table.request("lookup", "userinfo", key: "bob") == "not-found")
        }
    }

    @Test func pipelinedRequestsAndCommandLine() throws {
        let fixture = try Fixture()
        try fixture.withTable { table throws in
            let requests = (0..<16).map { (operation: "lookup", service: "userinfo", key: $0.isMultiple(of: 2) ? "bob" : "nobody\($0)") }
            let answers = (0..<16).map { $0.isMultiple(of: 2) ? "found|5001:5001:/var/vmail/bob" : "not-found" }
            #expect(try table.pipeline(requests) == answers)

            let lookup = try TestEnvironment.capture(PasswdTests.Fixture.binary, [fixture.config, "lookup", "userinfo", "ERIN@example.org"])
            #expect(lookup.status == 0 && lookup.stdout == "found|4294967295:4294967294:/home/erin\n")
            let check = try TestEnvironment.capture(PasswdTests.Fixture.binary, ["-n", fixture.config])
            #expect(check.status == 0 && check.stdout == "configuration OK (serves credentials, userinfo)\n")
        }
    }
}
