import TableProtocol

/// The keys of a table-postgres config file: upstream's (`conninfo` and the shared SQL query
/// keys, `$1` standing for the key) plus `timeout` and `max_connections`.
struct PostgresConfig: SQLConfig {
    var path: String
    /// Given to libpq as is: `key=value ...` or a `postgresql://` URI.
    var conninfo: String
    var queries: SQLQueries
    /// `timeout` bounds connecting and each statement (it is also the session's
    /// statement_timeout, unless conninfo sets one).
    var settings: TableSettings

    static let keywords = ["conninfo"] + TableSettings.keywords() + SQLQueries.keywords

    /// Reads the file, and warns through `logger` when it holds a password every user can read.
    static func load(_ path: String, logger: Logger? = nil) throws(ConfigErrors) -> PostgresConfig {
        var reader = ConfigReader(try ConfigFile.load(path), keywords: keywords)
        let queries = SQLQueries(&reader)
        let settings = TableSettings(&reader, connections: 4)
        let conninfo = reader.string("conninfo")
        if conninfo == nil {
            reader.report(nil, "missing \"conninfo\": the libpq connection string (e.g. host=localhost dbname=mail user=smtpd)")
        } else if let entry = reader.entry("conninfo"), let problem = ConninfoCheck.problem(conninfo!) {
            reader.report(entry.line, "conninfo: \(problem)")
        }
        try reader.finish()
        let config = PostgresConfig(path: path, conninfo: conninfo ?? "", queries: queries,
                              settings: settings)
        if config.holdsPassword, let logger { ConfigReader.warnIfWorldReadable(path, logger: logger) }
        return config
    }

    /// Whether conninfo carries a password (`password=...` or `postgresql://user:secret@...`).
    var holdsPassword: Bool {
        if conninfo.includes("password") { return true }
        guard let scheme = conninfo.range(ofText: "://") else { return false }
        let authority = conninfo[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
        guard let at = authority.lastIndex(of: "@") else { return false }
        return authority[..<at].includes(":")
    }

    /// Whether conninfo already sets the session's statement_timeout (in `options`).
    var setsStatementTimeout: Bool { conninfo.includes("statement_timeout") }
}

/// table-postgres: a drop-in for OpenSMTPD's table-postgres 1.1.1, reading the same config file.
final class PostgresTable: SQLTable {
    static let name = "postgres"
    let config: PostgresConfig

    /// Only parses: the database is reached by `connect`, after the handshake, so that smtpd
    /// starts even while PostgreSQL is down.
    init(loading argument: String, logger: Logger) throws(ConfigErrors) {
        config = try PostgresConfig.load(argument, logger: logger)
    }


    func connect(until deadline: Deadline) throws(TableError) -> PostgresConnection {
        try PostgresConnection(config, deadline: deadline)
    }
}
