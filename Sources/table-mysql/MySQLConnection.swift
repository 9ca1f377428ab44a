#if canImport(Glibc)
import Glibc
#endif
import CMariaDB
import TableProtocol

/// One worker's MySQL/MariaDB connection with every configured query prepared on it. Each
/// network step is bounded by the client library's connect, read and write timeouts (set
/// to `timeout`; libmariadb takes no deadline).
///
/// With several servers (`host` given more than once, or as a list: a Galera cluster, a
/// primary and its replicas) they are tried in order, sharing the request's timeout so
/// that a server that is down or frozen leaves time for the next; the one that answers
/// serves this connection until it fails, and the next connection tries them in order again.
///
/// The client library's own reconnect (MYSQL_OPT_RECONNECT, deprecated) stays off: it
/// loses the prepared statements. A lost connection is `.closed` instead, and
/// `RecoveringConnection` makes a new one, its statements prepared again.
final class MySQLConnection: TableConnection {
    private let mysql: UnsafeMutablePointer<MYSQL>
    let queries: SQLQueries
    /// By `SQLQuery.slot`.
    private var statements = [MySQLStatement?](repeating: nil, count: SQLQueries.slotCount)

    init(_ config: MySQLConfig, deadline: Deadline) throws(TableError) {
        mysql = try Self.connect(config, deadline: deadline)
        queries = config.queries
        // From here on deinit closes the handle, whatever fails.
        for query in config.queries.all {
            statements[query.slot] = try prepare(query)
        }
    }

    /// Connects to the first server that answers. A lone server gets the whole `timeout` to
    /// connect; with several, each gets its share of the time left, and at least a second
    /// (the library counts in whole seconds), so the next is tried while any time is left.
    private static func connect(_ config: MySQLConfig, deadline: Deadline) throws(TableError) -> UnsafeMutablePointer<MYSQL> {
        let targets: [MySQLHost?] = config.servers.isEmpty ? [nil] : config.servers
        var failures: [String] = []
        for (index, server) in targets.enumerated() {
            let left = targets.count - index
            let remaining = deadline.remaining
            if index > 0 && remaining <= 0 {
                failures.append("\(server.map(\.description) ?? "default"): not tried, the timeout was used up")
                continue
            }
            let connectTimeout = targets.count == 1 ? config.timeoutSeconds : max(1, Int(remaining / Double(left)))
            guard let handle = mysql_init(nil) else {
                throw TableError(.refused, "cannot connect to MySQL: out of memory")
            }
            setOptions(handle, config, connectTimeout: connectTimeout)
            let port = UInt32(server?.port ?? config.port)
            if mysql_real_connect(handle, server?.host, config.username, config.password, config.database,
                                  port, config.socket, 0) != nil {
                return handle
            }
            let reason = message(handle)
            mysql_close(handle)
            failures.append(targets.count == 1 ? reason : "\(server!): \(reason)")
        }
        throw TableError(.refused, "cannot connect to MySQL: \(failures.joined(separator: "; "))")
    }

    deinit {
        for case let statement? in statements { statement.close() }
        mysql_close(mysql)
    }

    /// Timeouts, character set and TLS. MYSQL_OPT_RECONNECT stays off (the default): a
    /// silent reconnect would lose the prepared statements.
    private static func setOptions(_ handle: UnsafeMutablePointer<MYSQL>, _ config: MySQLConfig, connectTimeout: Int) {
        var connectSeconds = UInt32(connectTimeout)
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connectSeconds)
        var timeout = UInt32(config.timeoutSeconds)
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &timeout)
        mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &timeout)
        config.charset.withCString { _ = mysql_options(handle, MYSQL_SET_CHARSET_NAME, $0) }
        let files = [(MYSQL_OPT_SSL_CA, config.sslCA), (MYSQL_OPT_SSL_CERT, config.sslCertificate), (MYSQL_OPT_SSL_KEY, config.sslKey)]
        for (option, value) in files {
            value?.withCString { _ = mysql_options(handle, option, $0) }
        }
        if config.usesTLS {
            var enforce: my_bool = 1
            mysql_options(handle, MYSQL_OPT_SSL_ENFORCE, &enforce)
        }
        var verify: my_bool = config.verifyServerCertificate ? 1 : 0
        mysql_options(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify)
    }

    /// Prepares one query and checks what upstream checked too: exactly one `?` (none for
    /// fetch_source) and the number of columns its service needs.
    private func prepare(_ query: SQLQuery) throws(TableError) -> MySQLStatement {
        guard let handle = mysql_stmt_init(mysql) else {
            throw TableError(.refused, "\(query.key): \(Self.message(mysql))")
        }
        let statement = MySQLStatement(handle, key: query.key)
        let status = query.sql.withCString { mysql_stmt_prepare(handle, $0, UInt(strlen($0))) }
        guard status == 0 else {
            defer { statement.close() }
            throw TableError(.refused, "\(query.key): \(String(cString: mysql_stmt_error(handle)))")
        }
        let parameters = Int(mysql_stmt_param_count(handle))
        let columns = Int(mysql_stmt_field_count(handle))
        if let problem = query.shapeProblem(columns: columns, parameters: parameters, placeholder: "?",
                                            extraParameters: { "has \($0) parameters; write ? once, for the key" }) {
            statement.close()
            throw TableError(.refused, "\(query.key): \(problem)")
        }
        guard statement.bindResults(columns: columns) else {
            defer { statement.close() }
            throw TableError(.refused, "\(query.key): \(String(cString: mysql_stmt_error(handle)))")
        }
        return statement
    }

    func answer(_ request: Request, until deadline: Deadline) throws(TableError) -> Answer {
        try queries.answer(request) { (query, key, row) throws(TableError) in
            guard query.slot < statements.count, let statement = statements[query.slot] else {
                throw TableError(.request, "no \(query.key) configured")
            }
            try statement.run(key: key, row: row)
        }
    }

    /// Errors that mean the connection (or its prepared statements) is gone, so a new
    /// session may succeed where this one failed: server gone or lost (also after a read
    /// timeout), commands out of sync, unknown statement after a server restart, the
    /// session killed, the server shutting down, statements needing a new prepare.
    static func isConnectionLost(_ code: UInt32) -> Bool {
        switch code {
        case 0, 2002, 2003, 2006, 2013, 2014, 2026, 2055, 2057, 1053, 1243, 1615, 1927, 4031: true
        default: false
        }
    }

    static func message(_ handle: UnsafeMutablePointer<MYSQL>) -> String {
        String(cString: mysql_error(handle))
    }
}
