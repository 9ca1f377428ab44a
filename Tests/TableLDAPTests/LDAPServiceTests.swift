import Testing
import TableDriver
import TableTestSupport

/// A failing test when the suite must run against slapd and slapd.env was not loaded.
@Test func slapdIsThereWhenServersAreRequired() {
    if TestEnvironment.serversRequired {
        #expect(SlapdServer.available, "SLAPD_* variables missing: scripts/servers/slapd.sh did not run")
    }
}

/// table-ldap spawned as smtpd spawns it, against the real slapd of scripts/servers/slapd.sh.
@Suite(.enabled(if: SlapdServer.available)) struct LDAPServiceTests {
    @Test func registersTheConfiguredServices() throws {
        let fixture = try LDAPFixture()
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        #expect(try table.handshake() == ["alias", "domain", "credentials", "netaddr", "userinfo", "mailaddr", "mailaddrmap", "auth"])

        try fixture.writeConfig("domain_filter (dc=%s)")
        let domainOnly = try fixture.start()
        #expect(try domainOnly.handshake() == ["domain"])
    }

    @Test func everyService() throws {
        let fixture = try LDAPFixture()
        try fixture.withTable { table throws in
            // alias: every value of every matching entry, in server order.
            let postmaster = try table.request("lookup", "alias", key: "postmaster")
            #expect(postmaster == "found|alice@example.org, bob@example.org, carol@example.net")
            #expect(try table.request("lookup", "alias", key: "abuse") == "found|alice@example.org")
            #expect(try table.request("lookup", "alias", key: "nobody") == "not-found")
            #expect(try table.request("lookup", "alias", key: "evil") == "error|value contains a line break")
            // credentials: user:hash, the {CRYPT} prefix (any case) stripped for smtpd.
            #expect(try table.request("lookup", "credentials", key: "alice") == "found|alice:$6$alicesalt$pOmgvDg6pFExmzZh6sKniv4lxjYiiZO12OQyR1eZxd83vI8ymKh1XbZVA8JYZVmAW7lv/4ri.L5PMCDx8cC4V0")
            #expect(try table.request("lookup", "credentials", key: "bob") == "found|bob:$6$bobsalt$M0LWMzNJXavNRj78ZLC9Bo4p9D7EwJQ5xfD62vW3VMBPgo/tMlQO2T8CQAXipx.NomfISDGYMHyxVv2xKQoZg/")
            #expect(try table.request("lookup", "credentials", key: "nopass") == "not-found")
            #expect(try table.request("lookup", "credentials", key: "nobody") == "not-found")
            // userinfo: uid:gid:home, checked as smtpd parses it.
            #expect(try table.request("lookup", "userinfo", key: "alice") == "found|5001:5000:/var/vmail/alice")
            #expect(try table.request("lookup", "userinfo", key: "negative") == "error|userinfo_attributes returned a uid or gid that is not a number from 0 to 4294967295")
            // domain, mailaddr, netaddr: checks; domain also answers lookups.
            #expect(try table.request("check", "domain", key: "example.org") == "found")
            #expect(try table.request("check", "domain", key: "example.com") == "not-found")
            #expect(try table.request("lookup", "domain", key: "example.net") == "found|example.net")
            #expect(try table.request("check", "mailaddr", key: "postmaster@example.org") == "found")
            #expect(try table.request("check", "mailaddr", key: "carol@example.net") == "not-found")
            #expect(try table.request("lookup", "mailaddr", key: "alice@example.org") == "error|no mailaddr_attributes configured")
            #expect(try table.request("lookup", "mailaddrmap", key: "alice") == "found|alice@example.org, postmaster@example.org")
            #expect(try table.request("lookup", "mailaddrmap", key: "bob") == "found|bob@example.org")
            #expect(try table.request("check", "netaddr", key: "127.0.0.1") == "found")
            #expect(try table.request("check", "netaddr", key: "[::1]") == "found")
            #expect(try table.request("check", "netaddr", key: "192.0.2.1") == "not-found")
            // check works for every service with a filter.
            #expect(try table.request("check", "alias", key: "postmaster") == "found")
            #expect(try table.request("check", "credentials", key: "alice") == "found")
            #expect(try table.request("check", "userinfo", key: "nobody") == "not-found")
            // Services without a filter, fetch, and the services smtpd sends to any table.
            #expect(try table.request("lookup", "addrname", key: "127.0.0.1") == "error|no addrname_filter configured")
            #expect(try table.request("fetch", "source") == "error|fetch is not supported by table-ldap")
            #expect(try table.request("check", "string", key: "x") == "error|no string_filter configured")
            #expect(try table.request("lookup", "relayhost", key: "x") == "error|no relayhost_filter configured")
            #expect(try table.request("lookup", "auth", key: "alice:alicepass") == "error|auth is answered by check only")
            // %h: the table name from the request.
            try fixture.writeConfig("alias_filter (&(objectClass=nisMailAlias)(cn=%h))\nalias_attributes rfc822MailMember")
            let byTableName = try fixture.start(tableName: "abuse")
            _ = try byTableName.handshake()
            #expect(try byTableName.request("lookup", "alias", key: "anything") == "found|alice@example.org")
        }
    }

    @Test func keysCannotChangeTheFilter() throws {
        try LDAPFixture().withTable { table throws in
            for key in ["a*b)(uid=*", "*", "alice)(uid=*", "al*", "alice)(|(uid=*)", "\\2a", "alice\\29"] {
                #expect(try table.request("lookup", "userinfo", key: key) == "not-found", "key \(key)")
                #expect(try table.request("check", "credentials", key: key) == "not-found", "key \(key)")
                #expect(try table.request("check", "auth", key: "\(key):alicepass") == "not-found", "key \(key)")
            }
            #expect(try table.request("check", "domain", key: "*") == "not-found")
            #expect(try table.request("lookup", "alias", key: "*") == "not-found")
            // A uid that really holds a `*` is found by its exact name, and only by it.
            #expect(try table.request("lookup", "userinfo", key: "star*") == "found|5004:5000:/var/vmail/star")
            #expect(try table.request("lookup", "userinfo", key: "st*") == "not-found")
            // Keys with `|` and bytes that are not UTF-8 reach the filter intact and harmless.
            #expect(try table.request("lookup", "userinfo", key: "alice|x") == "not-found")
            #expect(try table.request("lookup", "userinfo", keyBytes: Array("al".utf8) + [0xff, 0xfe]) == "not-found")
        }
    }

    @Test func authByBindWithAFilter() throws {
        let fixture = try LDAPFixture()
        try fixture.withTable(verbose: true) { table throws in
            #expect(try table.request("check", "auth", key: "alice:alicepass") == "found")
            #expect(try table.request("check", "auth", key: "bob:bobpass") == "found")
            #expect(try table.request("check", "auth", key: "alice:bobpass") == "not-found")
            #expect(try table.request("check", "auth", key: "alice:") == "not-found")
            #expect(try table.request("check", "auth", key: ":alicepass") == "not-found")
            #expect(try table.request("check", "auth", key: "nobody:alicepass") == "not-found")
            #expect(try table.request("check", "auth", key: "nopass:anything") == "not-found")
            #expect(try table.request("check", "auth", key: "alice") == "error|auth key is not user:password")
            // Split at the first colon: the password may hold colons.
            #expect(try table.request("check", "auth", key: "alice:alicepass:") == "not-found")
            // The service connection keeps working after binds as users.
            #expect(try table.request("lookup", "userinfo", key: "alice") == "found|5001:5000:/var/vmail/alice")
            table.closeInput()
            #expect(table.wait() == 0)
            // Neither the service password nor a user's ever reaches the log, even with -v.
            let log = fixture.log()
            #expect(log.contains("check auth <auth key>: found"))
            #expect(!log.contains("smtpdsecret") && !log.contains("alicepass") && !log.contains("bobpass"))
        }
    }

    @Test func authByBindWithADNTemplate() throws {
        let fixture = try LDAPFixture(LDAPFixture.services.replacingAuthFilter(with: "auth_dn_template uid=%u,ou=people,dc=example,dc=org"))
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        #expect(try table.handshake().last == "auth")
        #expect(try table.request("check", "auth", key: "alice:alicepass") == "found")
        #expect(try table.request("check", "auth", key: "alice:wrong") == "not-found")
        #expect(try table.request("check", "auth", key: "alice:") == "not-found")
        #expect(try table.request("check", "auth", key: "nobody:alicepass") == "not-found")
        // DN metacharacters in the user name are escaped, never parsed as DN structure.
        #expect(try table.request("check", "auth", key: "alice,ou=people:alicepass") == "not-found")
        #expect(try table.request("check", "auth", key: "x+uid=alice:alicepass") == "not-found")
    }

    @Test func sixteenPipelinedRequestsAreAnsweredByID() throws {
        try LDAPFixture().withTable { table throws in
            let cases: [(String, String, String, String)] = [
                ("lookup", "alias", "postmaster", "found|alice@example.org, bob@example.org, carol@example.net"),
                ("lookup", "userinfo", "bob", "found|5002:5000:/var/vmail/bob"),
                ("check", "domain", "example.net", "found"),
                ("check", "auth", "alice:alicepass", "found"),
                ("lookup", "alias", "nobody", "not-found"),
                ("check", "auth", "bob:nope", "not-found"),
                ("lookup", "mailaddrmap", "alice", "found|alice@example.org, postmaster@example.org"),
                ("check", "netaddr", "127.0.0.1", "found"),
            ]
            let requests = (0..<16).map { cases[$0 % cases.count] }.map { (operation: $0.0, service: $0.1, key: $0.2) }
            #expect(try table.pipeline(requests) == (0..<16).map { cases[$0 % cases.count].3 })
        }
    }

    @Test func ldapsAndStartTLS() throws {
        let server = try #require(SlapdServer.shared)
        let port = server.url.split(separator: ":").last!.filter(\.isNumber)
        let verified = "ca_file \(server.caFile)\n"
        let variants: [(urls: [String], extra: String, answer: String)] = [
            ([server.tlsURL], verified, "found|5001:5000:/var/vmail/alice"),
            ([server.url], verified + "starttls yes\n", "found|5001:5000:/var/vmail/alice"),
            (["ldap+tls://127.0.0.1:\(port)"], verified, "found|5001:5000:/var/vmail/alice"),
            // A certificate the CA file does not vouch for is refused, unless tls_verify no.
            ([server.tlsURL], "ca_file \(server.otherCAFile)\n", "error"),
            (["ldap+tls://127.0.0.1:\(port)"], "ca_file \(server.otherCAFile)\n", "error"),
            ([server.tlsURL], "ca_file \(server.otherCAFile)\ntls_verify no\n", "found|5001:5000:/var/vmail/alice"),
            // The certificate names 127.0.0.1 and localhost, not 127.0.0.2.
            (["ldaps://127.0.0.2:\(server.tlsURL.split(separator: ":").last!.filter(\.isNumber))"], verified, "error"),
        ]
        for variant in variants {
            try LDAPFixture(urls: variant.urls, variant.extra + LDAPFixture.services).withTable { table throws in
                let answer = try table.request("lookup", "userinfo", key: "alice")
                if variant.answer == "error" {
                    #expect(answer.hasPrefix("error|"), "\(variant.urls) \(variant.extra): \(answer)")
                } else {
                    #expect(answer == variant.answer, "\(variant.urls) \(variant.extra)")
                    #expect(try table.request("check", "auth", key: "bob:bobpass") == "found")
                }
            }
        }
    }

    @Test func unixSocket() throws {
        let url = try #require(TestEnvironment.variable("SLAPD_LDAPI_URL"))
        try LDAPFixture(urls: [url]).withTable { table throws in
            #expect(try table.request("lookup", "userinfo", key: "alice") == "found|5001:5000:/var/vmail/alice")
            #expect(try table.request("check", "auth", key: "alice:alicepass") == "found")
        }
    }

    @Test func serverErrorsAreErrorsNotMisses() throws {
        let server = try #require(SlapdServer.shared)
        let fixture = try LDAPFixture()
        defer { fixture.cleanUp() }
        // A basedn that does not exist: upstream answered not-found, hiding the mistake.
        try TestEnvironment.write("url \(server.url)\nbasedn ou=missing,\(server.baseDN)\n\(LDAPFixture.bind)\(LDAPFixture.services)\n",
                                  to: fixture.config, mode: 0o600)
        let table = try fixture.start()
        _ = try table.handshake()
        #expect(try table.request("check", "domain", key: "example.org") == "error|search: No such object (32)")
        #expect(try table.request("lookup", "alias", key: "postmaster") == "error|search: No such object (32)")
        #expect(try table.request("check", "auth", key: "alice:alicepass") == "error|search: No such object (32)")
    }

    @Test func pipelinedRequestsOverTLSConnectAtOnce() throws {
        let server = try #require(SlapdServer.shared)
        try LDAPFixture(urls: [server.tlsURL], "ca_file \(server.caFile)\nmax_connections 8\n" + LDAPFixture.services).withTable { table throws in
            let requests = Array(repeating: (operation: "lookup", service: "userinfo", key: "bob"), count: 16)
            #expect(try table.pipeline(requests) == Array(repeating: "found|5002:5000:/var/vmail/bob", count: 16))
        }
    }

    @Test func failsOverToTheNextURL() throws {
        let server = try #require(SlapdServer.shared)
        // Nothing listens on the closed ports.
        let dead = TestEnvironment.closedPorts.map { "ldap://127.0.0.1:\($0)" }
        try LDAPFixture(urls: [dead[0], server.url]).withTable { table throws in
            #expect(try table.request("lookup", "userinfo", key: "alice") == "found|5001:5000:/var/vmail/alice")
            #expect(try table.request("check", "auth", key: "alice:alicepass") == "found")
        }
        try LDAPFixture(urls: dead).withTable { unreachable throws in
            let answer = try unreachable.request("lookup", "userinfo", key: "alice", timeout: 6)
            #expect(answer.hasPrefix("error|\(dead[0]): bind as \"cn=smtpd,dc=example,dc=org\" failed: Can't contact LDAP server"))
            #expect(answer.contains(dead[1]))
        }
    }

    @Test func wrongServiceCredentialsAreAnErrorNotACrash() throws {
        let fixture = try LDAPFixture()
        defer { fixture.cleanUp() }
        try fixture.writeConfig(LDAPFixture.services, bind: "username cn=smtpd,dc=example,dc=org\npassword wrong\n")
        let table = try fixture.start()
        _ = try table.handshake()
        let answer = try table.request("lookup", "userinfo", key: "alice")
        #expect(answer.hasPrefix("error|") && answer.contains("Invalid credentials"))
        #expect(!answer.contains("wrong"))
        #expect(table.isRunning)
        // Anonymous: the ACL hides userPassword, so credentials find no hash, but the rest works.
        try fixture.writeConfig(LDAPFixture.services, bind: "")
        #expect(try table.request("update") == "ok")
        #expect(try table.request("lookup", "userinfo", key: "alice") == "found|5001:5000:/var/vmail/alice")
        #expect(try table.request("lookup", "credentials", key: "alice") == "not-found")
        let auth = try table.request("check", "auth", key: "alice:alicepass")
        #expect(auth == "found")
    }

    @Test func updateSwapsOnlyAWorkingConfig() throws {
        let fixture = try LDAPFixture()
        try fixture.withTable { table throws in
            #expect(try table.request("check", "domain", key: "example.org") == "found")
            try fixture.writeConfig("domain_filter (dc=%x)")
            #expect(try table.request("update") == "error|configuration not reloaded: \(fixture.config):6: domain_filter: unknown placeholder %x (use %u or %s for the key, %h for the table name, %% for %)")
            #expect(try table.request("check", "domain", key: "example.org") == "found")
            try fixture.writeConfig("domain_filter (&(objectClass=domain)(dc=%s.org))")
            #expect(try table.request("update") == "ok")
            #expect(try table.request("check", "domain", key: "example") == "found")
            #expect(try table.request("check", "domain", key: "example.org") == "not-found")
        }
    }

    @Test func commandLine() throws {
        let fixture = try LDAPFixture()
        defer { fixture.cleanUp() }
        let binary = LDAPFixture.binary
        let ok = try TestEnvironment.capture(binary, ["-n", fixture.config])
        #expect(ok.status == 0)
        #expect(ok.stdout == "configuration OK (serves alias, domain, credentials, netaddr, userinfo, mailaddr, mailaddrmap, auth)\n")
        let lookup = try TestEnvironment.capture(binary, [fixture.config, "lookup", "userinfo", "ALICE"])
        #expect(lookup.status == 0 && lookup.stdout == "found|5001:5000:/var/vmail/alice\n")

        try fixture.writeConfig("credentials_filter (uid=%u)\ncredentials_attributes uid\nbogus 1", urls: [])
        let bad = try TestEnvironment.capture(binary, ["-n", fixture.config])
        #expect(bad.status == 1)
        #expect(bad.stderr == """
            \(fixture.config):6: credentials_attributes needs 2 attributes, not 1: user name, password hash
            \(fixture.config):7: unknown keyword "bogus"
            \(fixture.config): missing "url": the LDAP server, e.g. url ldap://127.0.0.1

            """)
        // -n also connects and binds, like smtpd -n checks what it can.
        try fixture.writeConfig(LDAPFixture.services, bind: "username cn=smtpd,dc=example,dc=org\npassword wrong\n")
        let refused = try TestEnvironment.capture(binary, ["-n", fixture.config])
        #expect(refused.status == 1 && refused.stderr.contains("Invalid credentials"))
        // A world-readable config with a password draws a warning.
        TestEnvironment.run(["chmod", "644", fixture.config])
        let warned = try TestEnvironment.capture(binary, [fixture.config, "check", "domain", "example.org"])
        #expect(warned.stderr.contains("holds a password and is readable by every user"))
    }
}

extension String {
    func replacingAuthFilter(with line: String) -> String {
        split(separator: "\n").map { $0.hasPrefix("auth_filter") ? line : String($0) }.joined(separator: "\n")
    }
}
