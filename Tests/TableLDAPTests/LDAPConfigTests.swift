import Testing
import TableDriver
import TableProtocol
@testable import table_ldap

/// The config file: upstream's keywords and grammar, and every mistake caught at load with
/// its line instead of a crash or a per-request error.
@Suite struct LDAPConfigTests {
    static let minimal = "url ldap://127.0.0.1:13801\nbasedn dc=example,dc=org\n"
    let logger = Logger(program: "table-ldap", table: "test", fd: -1)

    func load(_ text: String) throws -> LDAPConfig {
        try TestEnvironment.withFile(text, named: "ldap.conf", mode: 0o600) { try LDAPConfig.load($0, logger: logger) }
    }

    /// The problems of a config that must not load, as `line: message` strings.
    func problems(_ text: String) throws -> [String] {
        do {
            _ = try load(text)
            Issue.record("the config loaded")
            return []
        } catch let error as ConfigErrors {
            return error.problems.map { "\($0.line.map(String.init) ?? "-"): \($0.message)" }
        }
    }

    @Test func upstreamExampleLoads() throws {
        // The shape of upstream's table-ldap.conf example: `key: value`, attribute lists with
        // spaces after the commas.
        let config = try load("""
            url: ldap://127.0.0.1:13801
            username: cn=admin,dc=example,dc=org
            password: secret
            basedn: dc=example,dc=org
            alias_filter: (&(objectClass=courierMailAlias)(mail=%s))
            alias_attributes: maildrop
            credentials_filter: (&(objectClass=posixAccount)(uid=%s))
            credentials_attributes: uid, userPassword
            userinfo_filter: (&(objectClass=posixAccount)(uid=%s))
            userinfo_attributes: uidNumber, gidNumber, homeDirectory
            domain_filter: (&(objectClass=rFC822localPart)(dc=%s))
            domain_attributes: dc
            mailaddr_filter: (&(objectClass=inetOrgPerson)(mail=%s))
            mailaddr_attributes: mail
            """)
        #expect(config.services == [.alias, .domain, .credentials, .userinfo, .mailaddr])
        #expect(config.searches[.credentials]?.attributes == ["uid", "userPassword"])
        #expect(config.searches[.userinfo]?.attributes == ["uidNumber", "gidNumber", "homeDirectory"])
        #expect(config.bindDN == "cn=admin,dc=example,dc=org")
        #expect(config.password == "secret")
        #expect(config.timeoutSeconds == 5)
        #expect(config.maximumConnections == 4)
        #expect(config.followReferrals == false)
        #expect(config.tlsVerify == true)
        let expected = try LDAPServerURL("ldap://127.0.0.1:13801", startTLSByDefault: false)
        #expect(config.urls == [expected])
    }

    @Test func urlSpellings() throws {
        let config = try load("""
            url ldap.example.org
            url ldap+tls://ldap2.example.org:389
            url ldaps://ldap3.example.org
            url ldapi://%2Frun%2Fslapd%2Fldapi
            url LDAP://ldap4.example.org
            basedn dc=example,dc=org
            starttls yes
            domain_filter (dc=%s)
            """)
        #expect(config.urls.map(\.url) == ["ldap://ldap.example.org", "ldap://ldap2.example.org:389", "ldaps://ldap3.example.org",
                                           "ldapi://%2Frun%2Fslapd%2Fldapi", "LDAP://ldap4.example.org"])
        #expect(config.urls.map(\.startTLS) == [true, true, false, false, true])
        #expect(try problems(Self.minimal + "ca_file /nonexistent/ca.pem\ndomain_filter (dc=%s)\n") == ["3: ca_file \"/nonexistent/ca.pem\" cannot be read"])
        #expect(try problems(Self.minimal + "url http://x\ndomain_filter (dc=%s)\n") == ["3: unsupported URL scheme in \"http://x\" (use ldap://, ldaps://, ldap+tls:// or ldapi://)"])
    }

    @Test func missingURLAndBaseDN() throws {
        #expect(try problems("domain_filter (dc=%s)\n") == [
            "-: missing \"url\": the LDAP server, e.g. url ldap://127.0.0.1",
            "-: missing \"basedn\": where searches start, e.g. basedn dc=example,dc=org",
        ])
        #expect(try problems(Self.minimal) == ["-: no service configured: give at least one <service>_filter (alias_filter, credentials_filter...) or auth_filter"])
    }

    @Test func attributeCountsAndNames() throws {
        #expect(try problems(Self.minimal + "credentials_filter (uid=%u)\ncredentials_attributes uid\n")
            == ["4: credentials_attributes needs 2 attributes, not 1: user name, password hash"])
        #expect(try problems(Self.minimal + "userinfo_filter (uid=%u)\nuserinfo_attributes uidNumber, gidNumber\n")
            == ["4: userinfo_attributes needs 3 attributes, not 2: uid, gid, home directory"])
        #expect(try problems(Self.minimal + "alias_filter (cn=%u)\nalias_attributes a, b\n")
            == ["4: alias_attributes needs 1 attribute, not 2: the attribute that holds the value"])
        #expect(try problems(Self.minimal + "alias_filter (cn=%u)\nalias_attributes a,,b\n")
            == ["4: alias_attributes: an empty attribute name in \"a,,b\""])
        #expect(try problems(Self.minimal + "alias_filter (cn=%u)\nalias_attributes mail(\n")
            == ["4: alias_attributes: \"mail(\" is not an attribute name"])
        // A service smtpd looks up needs its attributes; one it only checks does not.
        #expect(try problems(Self.minimal + "alias_filter (cn=%u)\n") == ["3: alias_filter needs alias_attributes (1 attribute) to answer lookups"])
        let config = try load(Self.minimal + "domain_filter (dc=%s)\nnetaddr_filter (ipHostNumber=%s)\n")
        #expect(config.services == [.domain, .netaddr])
        #expect(config.searches[.domain]?.attributes == nil)
    }

    @Test func filtersAreCheckedAtLoad() throws {
        #expect(try problems(Self.minimal + "domain_filter (dc=%x)\n")
            == ["3: domain_filter: unknown placeholder %x (use %u or %s for the key, %h for the table name, %% for %)"])
        #expect(try problems(Self.minimal + "domain_filter (dc=%s\n") == ["3: domain_filter: not a valid LDAP search filter (RFC 4515)"])
        #expect(try problems(Self.minimal + "domain_filter (&(dc=%s)(objectClass=domain)))\n") == ["3: domain_filter: not a valid LDAP search filter (RFC 4515)"])
        #expect(try problems(Self.minimal + "domain_filter (dc=100%)\n")
            == ["3: domain_filter: unknown placeholder %) (use %u or %s for the key, %h for the table name, %% for %)"])
        #expect(try problems(Self.minimal + "auth_filter uid=%\n")
            == ["3: auth_filter: a lone % at the end (write %% for a literal %)"])
    }

    @Test func sharedGrammarErrors() throws {
        #expect(try problems(Self.minimal + "domain_filter (dc=%s)\nURL ldap://x\nbasedn dc=other\ntimeout 0\n") == [
            "4: unknown keyword \"URL\"",
            "5: duplicate keyword \"basedn\" (first given on line 2)",
            "6: \"timeout\" must be a whole number from 1 to 300, not \"0\"",
        ])
    }

    @Test func authSettings() throws {
        let byFilter = try load(Self.minimal + "auth_filter (&(objectClass=posixAccount)(uid=%u))\n")
        #expect(byFilter.services == [.auth])
        let byTemplate = try load(Self.minimal + "auth_dn_template uid=%u,ou=people,dc=example,dc=org\ncredentials_filter (uid=%u)\ncredentials_attributes uid,userPassword\n")
        #expect(byTemplate.services == [.credentials, .auth])
        #expect(try problems(Self.minimal + "auth_dn_template ou=people,dc=example,dc=org\n")
            == ["3: auth_dn_template must contain %u, where the user name goes"])
        #expect(try problems(Self.minimal + "auth_filter (uid=%u)\nauth_dn_template uid=%u,dc=example,dc=org\n")
            == ["4: give auth_filter or auth_dn_template, not both"])
    }
}

/// The example configs shipped in examples/ldap load as they are.
@Suite struct LDAPExampleTests {
    static let examples = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/")).withRoot + "/examples/ldap"

    @Test(arguments: ["ldap.conf", "freeipa.conf"]) func exampleLoads(_ name: String) throws {
        // The examples name CA files of their own site: point ca_file at one that exists here.
        let directory = TestEnvironment.makeTemporaryDirectory("table-ldap-example")
        defer { TestEnvironment.run(["rm", "-rf", directory]) }
        try TestEnvironment.write("", to: "\(directory)/ca.pem")
        let text = try TestEnvironment.readText("\(Self.examples)/\(name)")
        #expect(text.contains("\nca_file "))
        let local = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("ca_file ") ? "ca_file \(directory)/ca.pem" : String($0) }.joined(separator: "\n")
        try TestEnvironment.write(local, to: "\(directory)/\(name)", mode: 0o600)
        let config = try LDAPConfig.load("\(directory)/\(name)", logger: Logger(program: "table-ldap", table: "test", fd: -1))
        #expect(config.services.contains(.auth))
        #expect(config.urls.count == 2)
    }
}

extension String {
    var withRoot: String { hasPrefix("/") ? self : "/" + self }
}
