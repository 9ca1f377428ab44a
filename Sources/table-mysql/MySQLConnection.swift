import TableProtocol

/// One worker's MySQL/MariaDB connection: a session with every query prepared, replaced (and
/// the request retried once) when the server drops it. The client library's own
/// reconnect (MYSQL_OPT_RECONNECT, deprecated) stays off: it loses prepared statements.
final class MySQLConnection: SQLConnection {
    let queries: SQLQueries
    private var session: ReconnectingSession<MySQLSession>

    init(_ config: MySQLConfig, logger: Logger) throws(TableError) {
        queries = config.queries
        session = try ReconnectingSession(timeout: Double(config.timeoutSeconds), logger: logger) { (_) throws(TableError) in
            // The library bounds each step by the configured timeouts, not by a deadline.
            try MySQLSession(config)
        }
    }

    var isUsable: Bool { session.isUsable }

    func run(_ query: SQLQuery, key: [UInt8]?, row: ((Int) -> [UInt8]?) -> Bool) throws(TableError) {
        try session.perform { (session, _) throws(SessionFailure) in
            try session.run(query, key: key, row: row)
        }
    }
}
