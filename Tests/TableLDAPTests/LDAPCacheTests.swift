import Testing
import TableDriver
import TableTestSupport

/// table-ldap on a private slapd (PrivateSlapd) for the answer cache checks: aliases added
/// and changed with ldapmodify as the directory's manager.
struct LDAPCacheFixture: CacheFixture {
    static let program = LDAPFixture.program
    static let tableName = LDAPFixture.tableName
    static let timeout = 1.0
    static let outages: [Outage] = [.stopped, .frozen, .killed]
    /// The bind password of alice (slapd.ldif), and the one changePassword sets.
    static let auth: (user: String, password: String, newPassword: String)? = ("alice", "alicepass", "newpass")
    let slapd: PrivateSlapd
    let ldap: LDAPFixture
    var directory: String { ldap.directory }
    var config: String { ldap.config }

    static func make() throws -> LDAPCacheFixture {
        guard let shared = SlapdServer.shared else { throw DriverError("no slapd: run scripts/servers/slapd.sh start") }
        let slapd = try PrivateSlapd(shared)
        return LDAPCacheFixture(slapd: slapd, ldap: try LDAPFixture(server: slapd.server))
    }

    func writeCacheConfig(_ cache: String) throws {
        try ldap.writeConfig("timeout \(Int(Self.timeout))\n" + LDAPFixture.services + "\n" + cache)
    }

    /// The alias entry removed (if there is one), then added with `value`.
    func setAlias(_ key: String, to value: String?) throws {
        let dn = "cn=\(key),ou=aliases,\(slapd.server.baseDN)"
        let removed = try manager("ldapdelete", [dn])
        // 32: no such object.
        guard removed.status == 0 || removed.status == 32 else { throw DriverError("ldapdelete \(dn): \(removed.stderr)") }
        if let value {
            try modify("dn: \(dn)\nchangetype: add\nobjectClass: nisMailAlias\ncn: \(key)\nrfc822MailMember: \(value)\n")
        }
    }

    func changePassword() throws {
        try modify("dn: uid=alice,ou=people,\(slapd.server.baseDN)\nchangetype: modify\nreplace: userPassword\nuserPassword: newpass\n")
    }

    func begin(_ outage: Outage) throws {
        switch outage {
        case .stopped: slapd.stop()
        case .frozen: guard slapd.freeze() else { throw DriverError("could not freeze the private slapd") }
        case .killed:
            // A restart ends every session.
            slapd.stop()
            slapd.resume()
        case .locked: throw DriverError("table-ldap: no locked outage")
        }
    }

    func end(_ outage: Outage) throws {
        switch outage {
        case .stopped: slapd.resume()
        case .frozen: slapd.thaw()
        case .killed, .locked: break
        }
    }

    /// An LDAP tool bound as the directory's manager (slapd.sh's rootdn).
    private func manager(_ tool: String, _ arguments: [String]) throws -> CommandOutput {
        try TestEnvironment.capture("/usr/bin/\(tool)", ["-x", "-H", slapd.server.url, "-D", "cn=admin,\(slapd.server.baseDN)", "-w", "secret"] + arguments)
    }

    private func modify(_ ldif: String) throws {
        let path = "\(directory)/change.ldif"
        try TestEnvironment.write(ldif, to: path)
        let result = try manager("ldapmodify", ["-f", path])
        guard result.status == 0 else { throw DriverError("ldapmodify: \(result.stderr)") }
    }
}

/// The answer cache against slapd stopped, frozen and restarted (CacheChecks). Beside the
/// fault tests, in their serialized suite: each starts the private slapd on its ports.
extension LDAPFaultTests {
    @Test(arguments: LDAPCacheFixture.cacheChecks) func cache(_ check: CacheCheck) throws {
        try check.run(on: LDAPCacheFixture.self)
    }
}
