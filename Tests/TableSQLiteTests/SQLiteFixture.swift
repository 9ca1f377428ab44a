import TableDriver
import TableTestSupport

/// A real SQLite database file (SQLTestData) and config in a fresh directory, and a way to start
/// table-sqlite on them exactly as smtpd does.
struct SQLiteFixture: SQLTableFixture {
    static let program = "table-sqlite"
    static let placeholder = "?"
    let directory: String
    var database: String { "\(directory)/mail.db" }
    var config: String { "\(directory)/sqlite.conf" }

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

    /// A new database file holding SQLTestData, and a config with `body` after its dbpath.
    init(_ body: String = Self.queries) throws {
        directory = TestEnvironment.makeTemporaryDirectory("table-sqlite")
        try sql(SQLTestData.script(.sqlite))
        try writeConfig(body)
    }

    /// Writes the config: `dbpath` of this fixture, then `body`.
    func writeConfig(_ body: String, dbpath: String? = nil) throws {
        try TestEnvironment.write("# test config\ndbpath \(dbpath ?? database)\n\(body)\n", to: config)
    }

    func sql(_ statement: String) throws {
        try TestEnvironment.write(statement, to: "\(directory)/extra.sql")
        let status = TestEnvironment.run(["sqlite3", database], stdinPath: "\(directory)/extra.sql")
        guard status == 0 else { throw DriverError("sqlite3 failed with status \(status)") }
    }
}
