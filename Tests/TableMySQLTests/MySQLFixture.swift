import Testing
import TableDriver
import TableTestSupport

/// The MariaDB server `scripts/servers/mariadb.sh` started (its `mariadb.env` is in the
/// environment), and SQL run on it with the mariadb client.
enum MySQLServer {
    static var available: Bool { TestEnvironment.variable("MARIADB_TEST_PORT") != nil }

    static func value(_ name: String) -> String { TestEnvironment.variable("MARIADB_TEST_\(name)") ?? "" }

    static var port: String { value("PORT") }
    static var password: String { value("PASSWORD") }
    static var control: ServerControl { ServerControl(script: value("CONTROL")) }

    /// Runs SQL as the test user in the test database.
    static func sql(_ statements: String) throws {
        try client(["-h", value("HOST"), "-P", port, "-u", value("USER"), "-p\(password)", value("DATABASE")], statements)
    }

    /// Runs SQL as root over the server's socket (global settings).
    static func rootSQL(_ statements: String) throws {
        try client(["--socket=\(value("SOCKET"))", "-u", "root"], statements)
    }

    /// KILLs every session of `user`, as root over the server's socket.
    static func killSessions(of user: String) throws {
        let root = "mariadb --no-defaults --socket=\(value("SOCKET")) -u root"
        let status = TestEnvironment.run(["bash", "-c", """
            \(root) -N -e "SELECT CONCAT('KILL ', id, ';') FROM information_schema.processlist WHERE user = '\(user)'" | \(root)
            """])
        guard status == 0 else { throw DriverError("killing the sessions of \(user) failed with status \(status)") }
    }

    private static func client(_ arguments: [String], _ statements: String) throws {
        let output = try TestEnvironment.capture("/usr/bin/mariadb", ["--no-defaults"] + arguments, input: statements)
        guard output.status == 0 else { throw DriverError("mariadb failed with status \(output.status): \(output.stderr)") }
    }
}

/// Fails the run when the servers are required (scripts/check.sh, CI) but were not started.
@Test(.enabled(if: TestEnvironment.serversRequired)) func mariaDBTestServerIsRunning() {
    #expect(MySQLServer.available, "MARIADB_TEST_PORT is not set: run scripts/servers/mariadb.sh start and source mariadb.env")
}

/// Fresh fixture tables (SQLTestData) in the test database, a config file naming them, and
/// table-mysql started on it exactly as smtpd starts it.
struct MySQLFixture: SQLServerFixture {
    static let program = "table-mysql"
    static let placeholder = "?"
    static let product = "MySQL"
    let directory: String
    var config: String { "\(directory)/mysql.conf" }

    static let queries = """
        query_alias SELECT destination FROM virtuals WHERE email = ? ORDER BY id
        query_domain SELECT domain FROM domains WHERE domain = ?
        query_credentials SELECT email, password FROM credentials WHERE email = ?
        query_netaddr SELECT address FROM networks WHERE address = ?
        query_userinfo SELECT uid, gid, maildir FROM users WHERE login = ?
        query_source SELECT address FROM relays WHERE address = ?
        query_mailaddr SELECT email FROM virtuals WHERE email = ?
        query_addrname SELECT name FROM names WHERE address = ?
        query_mailaddrmap SELECT address FROM senders WHERE login = ? ORDER BY id
        fetch_source SELECT address FROM relays
        fetch_source_refresh 2
        """

    static let timeout = 2.0

    init(_ body: String = Self.queries) throws {
        directory = TestEnvironment.makeTemporaryDirectory("table-mysql")
        try MySQLServer.sql(SQLTestData.script(.mysql))
        try writeConfig(body)
    }

    func writeConfig(_ body: String, connection: String) throws {
        try TestEnvironment.write("# test config\n\(connection)\ntimeout \(Int(Self.timeout))\n\(body)\n", to: config, mode: 0o600)
    }

    static var server: ServerControl { MySQLServer.control }
    static var serverPort: Int { Int(MySQLServer.port) ?? 0 }

    static let connection: @Sendable (_ host: String, _ port: Int) -> String = { host, port in
        "host \(host)\nport \(port)\nusername \(MySQLServer.value("USER"))\npassword \(MySQLServer.password)\ndatabase \(MySQLServer.value("DATABASE"))"
    }

    static func endSessions() throws {
        try MySQLServer.killSessions(of: MySQLServer.value("USER"))
    }

    static func widenTheNameColumn() throws {
        try MySQLServer.sql("ALTER TABLE names MODIFY name VARCHAR(200);")
    }

    static let ownKeywordProblems = [
        (line: "ssl_verify_server_cert maybe", message: "\"ssl_verify_server_cert\" must be yes or no, not \"maybe\""),
    ]
    static let secondParameter = (line: "query_domain SELECT domain FROM domains WHERE domain = ? OR domain = ?",
                                  message: "query_domain: has 2 parameters; write ? once, for the key")
    static let missingTableMessage = "Table 'mail.nosuchtable' doesn't exist"
    static let unreachableConnection = "host 127.0.0.1\nport 1"
    static let otherDomainOnlyQuery = "query_domain SELECT 'other.example' FROM DUAL WHERE ? = 'other.example'"

    /// wait_timeout for every new session.
    static func closeIdleSessionsSoon() throws -> (wait: Double, restore: () -> Void) {
        try MySQLServer.rootSQL("SET GLOBAL wait_timeout = 1;")
        return (2.5, { try? MySQLServer.rootSQL("SET GLOBAL wait_timeout = DEFAULT;") })
    }
}
