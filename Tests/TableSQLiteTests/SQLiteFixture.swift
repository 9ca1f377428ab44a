import TableDriver

/// A real SQLite database file and config in a fresh directory, and a way to start
/// table-sqlite on them exactly as smtpd does.
struct SQLiteFixture {
    let directory: String
    var database: String { "\(directory)/mail.db" }
    var config: String { "\(directory)/sqlite.conf" }
    var stderr: String { "\(directory)/stderr.log" }

    static let schema = """
        CREATE TABLE domains (domain TEXT);
        CREATE TABLE virtuals (email TEXT, destination TEXT);
        CREATE TABLE credentials (email TEXT, password TEXT);
        CREATE TABLE users (login TEXT, uid INTEGER, gid INTEGER, maildir TEXT);
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
            ('crlf@example.org', 'evil' || char(13) || char(10) || 'lookup-result|x|found|y'),
            ('big@example.org', printf('%.3000c', 'x')),
            ('pipe|key', 'piped'),
            ('%', 'percent'),
            ('_', 'underscore');
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
        """

    static let queries = """
        query_alias SELECT destination FROM virtuals WHERE email = ?
        query_domain SELECT domain FROM domains WHERE domain = ?
        query_credentials SELECT email, password FROM credentials WHERE email = ?
        query_netaddr SELECT address FROM networks WHERE address = ?
        query_userinfo SELECT uid, gid, maildir FROM users WHERE login = ?
        query_source SELECT address FROM relays WHERE address = ?
        query_mailaddr SELECT email FROM virtuals WHERE email = ?1
        query_addrname SELECT name FROM names WHERE address = :address
        query_mailaddrmap SELECT address FROM senders WHERE login = ?
        fetch_source SELECT address FROM relays
        fetch_source_refresh 2
        """

    init() throws {
        directory = TestEnvironment.makeTemporaryDirectory("table-sqlite")
        try TestEnvironment.write(Self.schema, to: "\(directory)/schema.sql")
        let status = TestEnvironment.run(["sqlite3", database], stdinPath: "\(directory)/schema.sql")
        guard status == 0 else { throw DriverError("sqlite3 failed with status \(status)") }
        try writeConfig(Self.queries)
    }

    /// Writes the config: `dbpath` of this fixture, then `body`.
    func writeConfig(_ body: String, dbpath: String? = nil) throws {
        try TestEnvironment.write("# test config\ndbpath \(dbpath ?? database)\n\(body)\n", to: config)
    }

    func start(tableName: String = "virtuals", arguments: [String]? = nil) throws -> TableProcess {
        try TableProcess(executable: TestEnvironment.binary("table-sqlite"), tableName: tableName,
                         arguments: arguments ?? [config], stderrPath: stderr)
    }

    func sql(_ statement: String) throws {
        try TestEnvironment.write(statement, to: "\(directory)/extra.sql")
        let status = TestEnvironment.run(["sqlite3", database], stdinPath: "\(directory)/extra.sql")
        guard status == 0 else { throw DriverError("sqlite3 failed with status \(status)") }
    }

    func log() -> String { (try? TestEnvironment.readText(stderr)) ?? "" }

    func cleanUp() { TestEnvironment.run(["rm", "-rf", directory]) }
}
