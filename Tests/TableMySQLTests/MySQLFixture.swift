import TableDriver
#if canImport(Glibc)
import Glibc
#endif

/// The MariaDB server `scripts/servers/mariadb.sh` started (its `mariadb.env` is in the
/// environment), and SQL run on it with the mariadb client.
enum MySQLServer {
    static var available: Bool { TestEnvironment.variable("MARIADB_TEST_PORT") != nil }

    static func value(_ name: String) -> String { TestEnvironment.variable("MARIADB_TEST_\(name)") ?? "" }

    static var port: String { value("PORT") }
    static var password: String { value("PASSWORD") }
    static var control: ServerControl { ServerControl(script: value("CONTROL")) }

    /// The connection keys of a config reaching the server over TCP with a password.
    static var connectionKeys: String {
        """
        host \(value("HOST"))
        port \(port)
        username \(value("USER"))
        password \(password)
        database \(value("DATABASE"))
        """
    }

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
        let directory = TestEnvironment.makeTemporaryDirectory("my-sql")
        defer { TestEnvironment.run(["rm", "-rf", directory]) }
        try TestEnvironment.write(statements, to: "\(directory)/input.sql")
        let status = TestEnvironment.run(["mariadb", "--no-defaults"] + arguments, stdinPath: "\(directory)/input.sql")
        guard status == 0 else { throw DriverError("mariadb failed with status \(status)") }
    }
}

/// Fresh fixture tables in the test database, a config file naming them, and table-mysql
/// started on it exactly as smtpd starts it.
struct MySQLFixture {
    let directory: String
    var config: String { "\(directory)/mysql.conf" }
    var stderr: String { "\(directory)/stderr.log" }

    static let schema = #"""
        DROP TABLE IF EXISTS domains, virtuals, credentials, users, senders, networks, relays, names;
        CREATE TABLE domains (domain VARCHAR(255));
        CREATE TABLE virtuals (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(1100), destination TEXT);
        CREATE TABLE credentials (email VARCHAR(255), password VARCHAR(255));
        CREATE TABLE users (login VARCHAR(255), uid BIGINT, gid BIGINT, maildir VARCHAR(255));
        CREATE TABLE senders (id INT AUTO_INCREMENT PRIMARY KEY, login VARCHAR(255), address VARCHAR(255));
        CREATE TABLE networks (address VARCHAR(255));
        CREATE TABLE relays (address VARCHAR(255));
        CREATE TABLE names (address VARCHAR(255), name VARCHAR(255));
        INSERT INTO domains VALUES ('example.org'), ('example.net'), (NULL), ('');
        INSERT INTO virtuals (email, destination) VALUES
            ('postmaster@example.org', 'alice@example.org'),
            ('postmaster@example.org', NULL),
            ('postmaster@example.org', ''),
            ('postmaster@example.org', 'bob@example.org'),
            ('alice@example.org', 'vmail'),
            ('@example.net', 'alice@example.org'),
            ('nullonly@example.org', NULL),
            ('crlf@example.org', CONCAT('evil', CHAR(13), CHAR(10), 'lookup-result|x|found|y')),
            ('big@example.org', REPEAT('x', 3000)),
            ('long@example.org', REPEAT('l', 2000)),
            ('pipe|key', 'piped'),
            ('%', 'percent'),
            ('_', 'underscore'),
            ('o''brien@example.org', 'quote'),
            ('back\\slash@example.org', 'backslash'),
            ('éclair@example.org', 'utf8'),
            (REPEAT('k', 1023), 'longest key');
        INSERT INTO credentials VALUES
            ('alice@example.org', '$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS'),
            ('bob@example.org', '{BLF-CRYPT}$2b$08$Xb1UHCS7lvOaIcA/wS84Zuw/EnTHjcWtwjwZMIR0kiGn/nCBZgZtq'),
            ('nopass@example.org', NULL),
            ('empty@example.org', '');
        INSERT INTO users VALUES
            ('vmail', 5000, 5000, '/var/vmail'),
            ('negative', -5, 0, '/h'),
            ('nohome', 1, 1, NULL),
            ('big', 4294967295, 4294967295, '/big');
        INSERT INTO senders (login, address) VALUES ('alice@example.org', 'alice@example.org'), ('alice@example.org', '@example.net');
        INSERT INTO networks VALUES ('127.0.0.1'), ('[::1]');
        INSERT INTO relays VALUES ('192.0.2.3'), ('192.0.2.1'), ('192.0.2.2'), ('192.0.2.1');
        INSERT INTO names VALUES ('192.0.2.1', 'mx.example.org');
        """#

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

    /// The timeout the fixture's config sets (seconds): fault tests bound answers by it + 1.
    static let timeout = 2.0

    init(_ body: String = Self.queries) throws {
        directory = TestEnvironment.makeTemporaryDirectory("table-mysql")
        try MySQLServer.sql(Self.schema)
        try writeConfig(body)
    }

    /// Writes the config: connection keys, timeout, then `body` (mode 0600: it holds a password).
    func writeConfig(_ body: String, connection: String = MySQLServer.connectionKeys) throws {
        try TestEnvironment.write("# test config\n\(connection)\ntimeout \(Int(Self.timeout))\n\(body)\n", to: config, mode: 0o600)
    }

    func start(tableName: String = "virtuals", arguments: [String]? = nil) throws -> TableProcess {
        try TableProcess(executable: TestEnvironment.binary("table-mysql"), tableName: tableName,
                         arguments: arguments ?? [config], stderrPath: stderr)
    }

    func log() -> String { (try? TestEnvironment.readText(stderr)) ?? "" }

    func cleanUp() { TestEnvironment.run(["rm", "-rf", directory]) }
}
