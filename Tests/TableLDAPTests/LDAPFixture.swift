#if canImport(Glibc)
import Glibc
#endif
import TableDriver
import TableTestSupport

/// The slapd that `scripts/servers/slapd.sh start` runs for the tests (its slapd.env).
struct SlapdServer: Sendable {
    var url, tlsURL, caFile, otherCAFile, baseDN, pidFile, script: String

    static let shared: SlapdServer? = {
        let v = TestEnvironment.variable
        guard let url = v("SLAPD_URL"), let tlsURL = v("SLAPD_TLS_URL"), let caFile = v("SLAPD_CA_FILE"),
              let other = v("SLAPD_OTHER_CA_FILE"), let base = v("SLAPD_BASEDN"), let pid = v("SLAPD_PID_FILE"),
              let script = v("SLAPD_SCRIPT")
        else { return nil }
        return SlapdServer(url: url, tlsURL: tlsURL, caFile: caFile, otherCAFile: other, baseDN: base, pidFile: pid, script: script)
    }()

    static var available: Bool { shared != nil }

    /// The server's process id, from its pid file.
    var pid: pid_t? {
        guard let text = try? TestEnvironment.readText(pidFile) else { return nil }
        return pid_t(text.filter(\.isNumber))
    }
}

/// A private slapd for the tests that stop, restart or freeze it, so that the other suites
/// keep their server: same script and data, its own directory and ports (SLAPD_PRIVATE_PORT,
/// SLAPD_PRIVATE_TLS_PORT of slapd.env).
final class PrivateSlapd {
    let directory = TestEnvironment.makeTemporaryDirectory("table-ldap-slapd")
    let script: String
    let server: SlapdServer
    let ports: (plain: String, tls: String)

    init(_ shared: SlapdServer) throws {
        script = shared.script
        ports = (TestEnvironment.variable("SLAPD_PRIVATE_PORT") ?? "13803", TestEnvironment.variable("SLAPD_PRIVATE_TLS_PORT") ?? "13804")
        server = SlapdServer(url: "ldap://127.0.0.1:\(ports.plain)/", tlsURL: "ldaps://127.0.0.1:\(ports.tls)/",
                             caFile: "\(directory)/slapd/tls/ca.pem", otherCAFile: "\(directory)/slapd/tls/other-ca.pem",
                             baseDN: shared.baseDN, pidFile: "\(directory)/slapd/run/slapd.pid", script: shared.script)
        guard control("start") == 0, let pid = server.pid, kill(pid, 0) == 0 else {
            throw DriverError("could not start a private slapd on port \(ports.plain) (is another one running?)")
        }
    }

    @discardableResult
    func control(_ command: String) -> Int32 {
        Self.runWithDefaultSignals(["/usr/bin/env", "TABLES_TEST_DIR=\(directory)", "SLAPD_PORT=\(ports.plain)", "SLAPD_TLS_PORT=\(ports.tls)",
                                    "bash", script, command])
    }

    /// Runs a command with an empty signal mask and default dispositions. The test runner's
    /// threads block SIGTERM (and ignore SIGPIPE); a slapd started with that inherited mask
    /// would never see the SIGTERM that stops it.
    static func runWithDefaultSignals(_ arguments: [String]) -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        guard posix_spawn(&pid, arguments[0], nil, &attributes, &cArguments, environ) == 0 else { return 127 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    func stop() { control("stop") }
    func resume() { control("resume") }
    /// SIGSTOP to slapd, returning once every thread of it is stopped (slapd.sh freeze):
    /// false when there is no slapd to freeze.
    @discardableResult
    func freeze() -> Bool { control("freeze") == 0 }
    func thaw() { control("thaw") }

    deinit {
        thaw()
        stop()
        TestEnvironment.run(["rm", "-rf", directory])
    }
}

/// A table-ldap config in a fresh directory and a way to start table-ldap on it as smtpd does.
struct LDAPFixture: TableFixture {
    static let program = "table-ldap"
    static let tableName = "ldap"
    let directory = TestEnvironment.makeTemporaryDirectory("table-ldap")
    let server: SlapdServer
    var config: String { "\(directory)/ldap.conf" }

    /// One filter for every service of the fixture directory (scripts/servers/slapd.ldif).
    static let services = """
        alias_filter (&(objectClass=nisMailAlias)(cn=%s))
        alias_attributes rfc822MailMember
        credentials_filter (&(objectClass=posixAccount)(uid=%u))
        credentials_attributes uid, userPassword
        userinfo_filter (&(objectClass=posixAccount)(uid=%u))
        userinfo_attributes uidNumber, gidNumber, homeDirectory
        domain_filter (&(objectClass=domain)(dc=%s))
        domain_attributes dc
        mailaddr_filter (&(objectClass=inetOrgPerson)(mail=%s))
        mailaddrmap_filter (&(objectClass=inetOrgPerson)(uid=%s))
        mailaddrmap_attributes mail
        netaddr_filter (ipHostNumber=%s)
        auth_filter (&(objectClass=posixAccount)(uid=%u))
        """

    /// The service account's bind, as a deployment would have it.
    static let bind = "username cn=smtpd,dc=example,dc=org\npassword smtpdsecret\n"

    init(server: SlapdServer? = SlapdServer.shared, urls: [String]? = nil, _ body: String = LDAPFixture.services) throws {
        guard let server else { throw DriverError("no slapd: run scripts/servers/slapd.sh start and source slapd.env") }
        self.server = server
        try writeConfig(body, urls: urls)
    }

    /// Writes the config (mode 0600): the url lines, basedn, the service bind, then `body`.
    func writeConfig(_ body: String, urls: [String]? = nil, bind: String = LDAPFixture.bind) throws {
        let lines = (urls ?? [server.url]).map { "url \($0)\n" }.joined()
        try TestEnvironment.write("# table-ldap test config\n\(lines)basedn \(server.baseDN)\n\(bind)\(body)\n", to: config, mode: 0o600)
    }
}
