import TableProtocol

/// One worker's PostgreSQL connection: a session with every query prepared, replaced (and the
/// request retried once) when the server drops it.
final class PostgresConnection: SQLConnection {
    let queries: SQLQueries
    private var session: ReconnectingSession<PostgresSession>

    init(_ config: PostgresConfig, logger: Logger) throws(TableError) {
        queries = config.queries
        session = try ReconnectingSession(timeout: Double(config.timeoutSeconds), logger: logger) { (deadline) throws(TableError) in
            try PostgresSession(config, deadline: deadline)
        }
    }

    var isUsable: Bool { session.isUsable }

    func run(_ query: SQLQuery, key: [UInt8]?, row: ((Int) -> [UInt8]?) -> Bool) throws(TableError) {
        try session.perform { (session, deadline) throws(SessionFailure) in
            try session.run(query, key: key, deadline: deadline, row: row)
        }
    }
}
