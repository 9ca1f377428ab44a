import TableProtocol

/// The keys of a table-postgres config file: upstream's (`conninfo` and the shared SQL query
/// keys, `$1` standing for the key) plus `timeout` and `max_connections`.
struct PostgresConfig: SQLConfig {
    var path: String
    /// Given to libpq as is: `key=value ...` or a `postgresql://` URI.
    var conninfo: String
    var queries: SQLQueries
    /// Seconds allowed for connecting and for each statement (also the session's
    /// statement_timeout, unless conninfo sets one).
    var timeoutSeconds: Int
    var maximumConnections: Int
    var cache: CacheSettings

    static let keywords = ["conninfo", "timeout", "max_connections"] + SQLQueries.keywords + CacheSettings.keywords

    static func load(_ path: String) throws(ConfigErrors) -> PostgresConfig {
        var reader = ConfigReader(try ConfigFile.load(path), keywords: keywords)
        let queries = SQLQueries(&reader)
        let timeout = reader.integer("timeout", default: 5, in: 1...300)
        let connections = reader.integer("max_connections", default: 4, in: 1...64)
        let cache = CacheSettings(&reader)
        let conninfo = reader.string("conninfo")
        if conninfo == nil {
            reader.report(nil, "missing \"conninfo\": the libpq connection string (e.g. host=localhost dbname=mail user=smtpd)")
        } else if let entry = reader.entry("conninfo"), let problem = ConninfoCheck.problem(conninfo!) {
            reader.report(entry.line, "conninfo: \(problem)")
        }
        try reader.finish()
        return PostgresConfig(path: path, conninfo: conninfo ?? "", queries: queries,
                              timeoutSeconds: timeout, maximumConnections: connections, cache: cache)
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
        config = try PostgresConfig.load(argument)
        if config.holdsPassword { ConfigReader.warnIfWorldReadable(argument, logger: logger) }
    }

    var requestTimeout: Double? { Double(config.timeoutSeconds) }

    func connect(until deadline: Deadline) throws(TableError) -> PostgresConnection {
        try PostgresConnection(config, deadline: deadline)
    }
}
