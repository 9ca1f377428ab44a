import TableDriver
#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL server `scripts/servers/postgres.sh` started (its `postgres.env` is in the
/// environment), and SQL run on it with psql.
enum PostgresServer {
    static var available: Bool { TestEnvironment.variable("POSTGRES_TEST_PORT") != nil }

    static func value(_ name: String) -> String { TestEnvironment.variable("POSTGRES_TEST_\(name)") ?? "" }

    static var port: String { value("PORT") }
    static var password: String { value("PASSWORD") }

    /// How table-postgres reaches the server: TCP on 127.0.0.1 with a scram password.
    static var conninfo: String {
        "host=\(value("HOST")) port=\(port) dbname=\(value("DATABASE")) user=\(value("USER")) password=\(password)"
    }

    static var control: ServerControl { ServerControl(script: value("CONTROL")) }

    /// Runs SQL as the test user (the owner of the fixture tables).
    static func sql(_ statements: String) throws {
        try psql(["\(conninfo)"], statements)
    }

    /// Runs SQL as the superuser over the server's Unix socket (to end other sessions).
    static func superuserSQL(_ statements: String) throws {
        try psql(["-h", value("SOCKET_DIR"), "-p", port, "-U", "postgres", "-d", value("DATABASE")], statements)
    }

    private static func psql(_ target: [String], _ statements: String) throws {
        let directory = TestEnvironment.makeTemporaryDirectory("pg-sql")
        defer { TestEnvironment.run(["rm", "-rf", directory]) }
        try TestEnvironment.write(statements, to: "\(directory)/input.sql")
        let status = TestEnvironment.run([value("PSQL"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
                                         + target + ["-o", "/dev/null", "-f", "\(directory)/input.sql"])
        guard status == 0 else { throw DriverError("psql failed with status \(status)") }
    }
}

/// Fresh fixture tables in the test database, a config file naming them, and table-postgres
/// started on it exactly as smtpd starts it.
struct PostgresFixture {
    let directory: String
    var config: String { "\(directory)/postgres.conf" }
    var stderr: String { "\(directory)/stderr.log" }

    static let schema = #"""
        DROP TABLE IF EXISTS domains, virtuals, credentials, users, senders, networks, relays, names;
        CREATE TABLE domains (domain TEXT);
        CREATE TABLE virtuals (email TEXT, destination TEXT);
        CREATE TABLE credentials (email TEXT, password TEXT);
        CREATE TABLE users (login TEXT, uid BIGINT, gid BIGINT, maildir TEXT);
        CREATE TABLE senders (login TEXT, address TEXT);
        CREATE TABLE networks (address TEXT);
        CREATE TABLE relays (address TEXT);
        CREATE TABLE names (address TEXT, name TEXT);
        INSERT INTO domains VALUES ('example.org'), ('example.net'), (NULL), ('');
        INSERT INTO virtuals VALUES
            ('postmaster@example.org', 'alice@example.org'),
            ('postmaster@example.org', NULL),
            ('postmaster@example.org', ''),
            ('postmaster@example.org', 'bob@example.org'),
            ('alice@example.org', 'vmail'),
            ('@example.net', 'alice@example.org'),
            ('nullonly@example.org', NULL),
            ('crlf@example.org', 'evil' || chr(13) || chr(10) || 'lookup-result|x|found|y'),
            ('big@example.org', repeat('x', 3000)),
            ('long@example.org', repeat('l', 2000)),
            ('pipe|key', 'piped'),
            ('%', 'percent'),
            ('_', 'underscore'),
            ('o''brien@example.org', 'quote'),
            ('back\slash@example.org', 'backslash'),
            ('éclair@example.org', 'utf8'),
            (repeat('k', 1023), 'longest key');
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
        INSERT INTO senders VALUES ('alice@example.org', 'alice@example.org'), ('alice@example.org', '@example.net');
        INSERT INTO networks VALUES ('127.0.0.1'), ('[::1]');
        INSERT INTO relays VALUES ('192.0.2.3'), ('192.0.2.1'), ('192.0.2.2'), ('192.0.2.1');
        INSERT INTO names VALUES ('192.0.2.1', 'mx.example.org');
        """#

    static let queries = """
        query_alias SELECT destination FROM virtuals WHERE email = $1
        query_domain SELECT domain FROM domains WHERE domain = $1
        query_credentials SELECT email, password FROM credentials WHERE email = $1
        query_netaddr SELECT address FROM networks WHERE address = $1
        query_userinfo SELECT uid, gid, maildir FROM users WHERE login = $1
        query_source SELECT address FROM relays WHERE address = $1
        query_mailaddr SELECT email FROM virtuals WHERE email = $1
        query_addrname SELECT name FROM names WHERE address = $1::text
        query_mailaddrmap SELECT address FROM senders WHERE login = $1 OR $1 = 'everyone'
        fetch_source SELECT address FROM relays
        fetch_source_refresh 2
        """

    /// The timeout the fixture's config sets (seconds): fault tests bound answers by it + 1.
    static let timeout = 2.0

    init(_ body: String = Self.queries) throws {
        directory = TestEnvironment.makeTemporaryDirectory("table-postgres")
        try PostgresServer.sql(Self.schema)
        try writeConfig(body)
    }

    /// Writes the config: conninfo, timeout, then `body` (mode 0600: it holds a password).
    func writeConfig(_ body: String, conninfo: String = PostgresServer.conninfo) throws {
        try TestEnvironment.write("# test config\nconninfo \(conninfo)\ntimeout \(Int(Self.timeout))\n\(body)\n", to: config, mode: 0o600)
    }

    func start(tableName: String = "virtuals", arguments: [String]? = nil) throws -> TableProcess {
        try TableProcess(executable: TestEnvironment.binary("table-postgres"), tableName: tableName,
                         arguments: arguments ?? [config], stderrPath: stderr)
    }

    func log() -> String { (try? TestEnvironment.readText(stderr)) ?? "" }

    func cleanUp() { TestEnvironment.run(["rm", "-rf", directory]) }
}
