import Testing
@testable import table_ldap

/// Filter and DN templates: placeholders, the errors upstream only found per request, and
/// the escaping that keeps a key from changing a filter's structure.
@Suite struct LDAPTemplateTests {
    func expand(_ template: String, key: String, table: String = "users", escaping: LDAPTemplate.Escaping = .filter) throws -> String {
        let expanded = try LDAPTemplate(template, escaping: escaping).expand(key: Array(key.utf8), table: table)
        #expect(expanded.last == 0)
        return String(decoding: expanded.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func placeholders() throws {
        #expect(try expand("(&(objectClass=posixAccount)(uid=%u))", key: "alice") == "(&(objectClass=posixAccount)(uid=alice))")
        #expect(try expand("(|(mail=%s)(mailAlternateAddress=%s))", key: "a@b") == "(|(mail=a@b)(mailAlternateAddress=a@b))")
        #expect(try expand("(&(cn=%h)(member=%u))", key: "bob", table: "aliases") == "(&(cn=aliases)(member=bob))")
        #expect(try expand("(quota=100%%)", key: "x") == "(quota=100%)")
        #expect(try expand("(objectClass=domain)", key: "ignored") == "(objectClass=domain)")
        #expect(try expand("(mail=*%u*)", key: "bob") == "(mail=*bob*)")
        #expect(try expand("(uid=%u)", key: "") == "(uid=)")
    }

    @Test func unknownPlaceholdersAreRejected() {
        #expect(throws: LDAPTemplate.Invalid.self) { try LDAPTemplate("(cn=%x)", escaping: .filter) }
        #expect(throws: LDAPTemplate.Invalid.self) { try LDAPTemplate("(cn=%U)", escaping: .filter) }
        #expect(throws: LDAPTemplate.Invalid.self) { try LDAPTemplate("(cn=100%)", escaping: .filter) }
        #expect(throws: LDAPTemplate.Invalid.self) { try LDAPTemplate("uid=%d,dc=x", escaping: .distinguishedName) }
    }

    @Test func keysAreEscapedPerRFC4515() throws {
        #expect(try expand("(uid=%u)", key: "a*b)(uid=*") == "(uid=a\\2ab\\29\\28uid=\\2a)")
        #expect(try expand("(uid=%u)", key: "back\\slash") == "(uid=back\\5cslash)")
        #expect(try expand("(uid=%u)", key: "nul\u{0}byte") == "(uid=nul\\00byte)")
        #expect(try expand("(cn=%h)", key: "x", table: "t*") == "(cn=t\\2a)")
        // Non-ASCII UTF-8 passes through (RFC 4515 allows it unescaped).
        #expect(try expand("(cn=%u)", key: "jörg") == "(cn=jörg)")
    }

    @Test func keysAreEscapedPerRFC4514InDNs() throws {
        let template = "uid=%u,ou=people,dc=example,dc=org"
        #expect(try expand(template, key: "alice", escaping: .distinguishedName) == "uid=alice,ou=people,dc=example,dc=org")
        #expect(try expand(template, key: "a,ou=admins", escaping: .distinguishedName) == "uid=a\\2cou\\3dadmins,ou=people,dc=example,dc=org")
        #expect(try expand(template, key: "x+cn=y", escaping: .distinguishedName) == "uid=x\\2bcn\\3dy,ou=people,dc=example,dc=org")
        #expect(try expand(template, key: "#lead", escaping: .distinguishedName) == "uid=\\23lead,ou=people,dc=example,dc=org")
        #expect(try expand(template, key: " both ", escaping: .distinguishedName) == "uid=\\20both\\20,ou=people,dc=example,dc=org")
        #expect(try expand(template, key: "in#side", escaping: .distinguishedName) == "uid=in#side,ou=people,dc=example,dc=org")
        #expect(try expand(template, key: "q\"<>;\\", escaping: .distinguishedName) == "uid=q\\22\\3c\\3e\\3b\\5c,ou=people,dc=example,dc=org")
    }
}
