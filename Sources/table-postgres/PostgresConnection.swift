#if canImport(Glibc)
import Glibc
#endif
import CLibPQ
import TableProtocol

/// One worker's libpq connection with every configured query prepared on it (named after
/// its config key), driven only through libpq's asynchronous calls and `poll(2)` with the
/// request's deadline, so that a frozen or unreachable server costs at most the timeout,
/// never a hang.
///
/// Failures are sorted for `RecoveringConnection`: a broken connection, or a session the
/// server ended (restart, `pg_terminate_backend`, statements gone), is `.closed`, so it is
/// replaced and the request sent again; no reply in time is `.timedOut`; an SQL error on a
/// working connection is `.request`.
final class PostgresConnection: TableConnection {
    private let connection: OpaquePointer
    /// Where a row's column is copied to, reused by every request on this connection.
    private let columnBuffer = ColumnBuffer()
    private let timeoutSeconds: Int
    let queries: SQLQueries

    /// Connects (PQconnectStartParams + PQconnectPoll), sets statement_timeout, prepares and
    /// checks every query.
    ///
    /// deinit runs for a class whose init throws after setting every property: a connection
    /// made before a later step failed is closed.
    init(_ config: PostgresConfig, deadline: Deadline) throws(TableError) {
        timeoutSeconds = config.timeoutSeconds
        queries = config.queries
        connection = try Self.connect(config, deadline: deadline)
        if !config.setsStatementTimeout {
            // A little under the client's deadline, so that a slow query is cancelled by the
            // server (a clean error) before the client gives up on the connection.
            try command("SET statement_timeout = \(max(config.timeoutSeconds * 1000 - 250, 100))", deadline: deadline)
        }
        for query in config.queries.all {
            try prepare(query, deadline: deadline)
        }
    }

    deinit { PQfinish(connection) }

    // MARK: connecting

    private static func connect(_ config: PostgresConfig, deadline: Deadline) throws(TableError) -> OpaquePointer {
        // conninfo goes in as dbname with expand_dbname, so both `key=value` strings and URIs
        // work, and its own connect_timeout (it comes later) overrides ours.
        let keywords = ["connect_timeout", "fallback_application_name", "dbname"]
        let values = [String(config.timeoutSeconds), "table-postgres", config.conninfo]
        let started: OpaquePointer? = withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in
                PQconnectStartParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection = started else {
            throw TableError(.refused, "cannot connect to PostgreSQL: out of memory")
        }
        if PQstatus(connection) == CONNECTION_BAD {
            let message = errorMessage(connection)
            PQfinish(connection)
            throw TableError(.refused, "cannot connect to PostgreSQL: \(message)")
        }
        var state = PGRES_POLLING_WRITING
        while state != PGRES_POLLING_OK {
            let event: Int16
            switch state {
            case PGRES_POLLING_READING: event = Int16(POLLIN)
            case PGRES_POLLING_WRITING: event = Int16(POLLOUT)
            default:
                let message = errorMessage(connection)
                PQfinish(connection)
                throw TableError(.refused, "cannot connect to PostgreSQL: \(message)")
            }
            if !SocketWait.wait(PQsocket(connection), for: event, until: deadline) {
                PQfinish(connection)
                throw TableError(.refused, "cannot connect to PostgreSQL: no answer within \(config.timeoutSeconds) s")
            }
            state = PQconnectPoll(connection)
        }
        PQsetnonblocking(connection, 1)
        return connection
    }

    // MARK: statements

    private func prepare(_ query: SQLQuery, deadline: Deadline) throws(TableError) {
        guard PQsendPrepare(connection, query.key, query.sql, 0, nil) == 1 else {
            throw TableError(.closed, "\(query.key): \(Self.errorMessage(connection))")
        }
        let prepared = try result(deadline: deadline)
        defer { PQclear(prepared) }
        guard PQresultStatus(prepared) == PGRES_COMMAND_OK else {
            throw failure(of: prepared, context: query.key)
        }
        guard PQsendDescribePrepared(connection, query.key) == 1 else {
            throw TableError(.closed, "\(query.key): \(Self.errorMessage(connection))")
        }
        let description = try result(deadline: deadline)
        defer { PQclear(description) }
        guard PQresultStatus(description) == PGRES_COMMAND_OK else {
            throw failure(of: description, context: query.key)
        }
        let columns = Int(PQnfields(description))
        let parameters = Int(PQnparams(description))
        if let problem = query.shapeProblem(columns: columns, parameters: parameters, placeholder: "$1",
                                            extraParameters: { "uses $\($0); only $1 (the key) is given" }) {
            throw TableError(.request, "\(query.key): \(problem)")
        }
    }

    func answer(_ request: Request, until deadline: Deadline) throws(TableError) -> Answer {
        try queries.answer(request) { (query, key, row) throws(TableError) in
            try run(query, key: key, deadline: deadline, row: row)
        }
    }

    /// Runs a prepared query with the key as its text parameter `$1` and hands each row to
    /// `row` (only once the whole result is in, so a lost connection never half-answers).
    func run(_ query: SQLQuery, key: UnsafeBufferPointer<UInt8>?, deadline: Deadline, row: (SQLRow) -> Bool) throws(TableError) {
        if let key {
            // libpq takes text parameters as C strings: a NUL would cut the key short and
            // could match another row.
            guard !Self.containsNUL(key) else { throw TableError(.request, "the key contains a NUL byte") }
        }
        // The key and its NUL in a temporary buffer (on the stack: smtpd's keys are at most
        // 1023 bytes), so that sending a query allocates nothing. withCString, not the
        // implicit String-to-pointer conversion, which copies the name into a new array.
        let sent: Int32 = withUnsafeTemporaryAllocation(of: CChar.self, capacity: (key?.count ?? 0) + 1) { parameter in
            if let key {
                UnsafeMutableRawBufferPointer(parameter).copyMemory(from: UnsafeRawBufferPointer(key))
                parameter[key.count] = 0
            }
            var value: UnsafePointer<CChar>? = UnsafePointer(parameter.baseAddress)
            return query.key.withCString { name in
                PQsendQueryPrepared(connection, name, key == nil ? 0 : 1, &value, nil, nil, 0)
            }
        }
        guard sent == 1 else { throw TableError(.closed, "\(query.key): \(Self.errorMessage(connection))") }
        let answer = try result(deadline: deadline)
        defer { PQclear(answer) }
        guard PQresultStatus(answer) == PGRES_TUPLES_OK else {
            if let state = sqlState(of: answer), state == "22021" {
                // The key is not valid in the database's encoding (e.g. invalid UTF-8): it
                // cannot equal any stored text, so nothing matches.
                return
            }
            throw failure(of: answer, context: query.key)
        }
        let fields = PQnfields(answer)
        for index in 0..<PQntuples(answer) {
            let more = row { column in
                let field = Int32(column)
                guard field < fields, PQgetisnull(answer, index, field) == 0, let text = PQgetvalue(answer, index, field) else {
                    return nil
                }
                return text.withMemoryRebound(to: UInt8.self, capacity: 1) {
                    columnBuffer.copy(UnsafeBufferPointer(start: $0, count: Int(PQgetlength(answer, index, field))), column: column)
                }
            }
            if !more { return }
        }
    }

    /// Whether the key holds a NUL byte, found with memchr(3) rather than a byte loop.
    private static func containsNUL(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = key.baseAddress, !key.isEmpty else { return false }
        return memchr(start, 0, key.count) != nil
    }

    /// Runs one plain SQL command (used for SET at connect).
    private func command(_ sql: String, deadline: Deadline) throws(TableError) {
        guard PQsendQuery(connection, sql) == 1 else { throw TableError(.closed, Self.errorMessage(connection)) }
        let answer = try result(deadline: deadline)
        defer { PQclear(answer) }
        guard PQresultStatus(answer) == PGRES_COMMAND_OK else {
            throw failure(of: answer, context: sql)
        }
    }

    // MARK: waiting for the server

    /// Sends what is queued and collects the command's result: the first one (the rest are
    /// read and dropped, so the connection is ready for the next command). A broken
    /// connection is `.closed`, no answer in time `.timedOut`.
    private func result(deadline: Deadline) throws(TableError) -> OpaquePointer {
        while true {
            let pending = PQflush(connection)
            if pending == 0 { break }
            if pending < 0 { throw TableError(.closed, Self.errorMessage(connection)) }
            try waitForSocket(Int16(POLLOUT | POLLIN), deadline: deadline)
            if PQconsumeInput(connection) == 0 { throw TableError(.closed, Self.errorMessage(connection)) }
        }
        var first: OpaquePointer?
        while true {
            while PQisBusy(connection) == 1 {
                try waitForSocket(Int16(POLLIN), deadline: deadline)
                if PQconsumeInput(connection) == 0 {
                    if let first { PQclear(first) }
                    throw TableError(.closed, Self.errorMessage(connection))
                }
            }
            guard let next = PQgetResult(connection) else { break }
            if first == nil { first = next } else { PQclear(next) }
        }
        guard let first else { throw TableError(.closed, Self.errorMessage(connection)) }
        return first
    }

    private func waitForSocket(_ events: Int16, deadline: Deadline) throws(TableError) {
        guard SocketWait.wait(PQsocket(connection), for: events, until: deadline) else {
            throw TableError(.timedOut, "no answer from PostgreSQL within \(timeoutSeconds) s")
        }
    }

    /// Sorts a failed result: connection trouble is `.closed`, so the connection is replaced
    /// and its statements prepared again: no SQLSTATE, class 08, 57P* (the session terminated
    /// by an administrator, a shutdown or idle_session_timeout), 26000 (prepared statements
    /// gone), 0A000 (a plan outdated by a schema change: "cached plan must not change result
    /// type"). Anything else failed on a working connection: `.request`.
    private func failure(of result: OpaquePointer, context: String) -> TableError {
        let message = "\(context): \(Self.resultMessage(result))"
        let state = sqlState(of: result)
        let lost = PQstatus(connection) == CONNECTION_BAD || state == nil || state!.hasPrefix("08")
            || state!.hasPrefix("57P") || ["26000", "0A000"].contains(state!)
        return TableError(lost ? .closed : .request, message)
    }

    private static func errorMessage(_ connection: OpaquePointer) -> String {
        oneLine(PQerrorMessage(connection).map { String(cString: $0) } ?? "unknown libpq error")
    }

    /// The server's primary message (`relation "x" does not exist`), or libpq's whole text
    /// when the failure did not come from the server.
    private static func resultMessage(_ result: OpaquePointer) -> String {
        let text = CLibPQ_primaryMessage(result) ?? PQresultErrorMessage(result).map { UnsafePointer($0) }
        return oneLine(text.map { String(cString: $0) } ?? "unknown error")
    }

    /// libpq messages end in a newline and may hold several lines (ERROR, DETAIL).
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.drop { $0 == " " || $0 == "\t" } }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
    }
}

func sqlState(of result: OpaquePointer) -> String? {
    CLibPQ_sqlstate(result).map { String(cString: $0) }
}

/// Runs `body` with a NULL-terminated array of C strings, as libpq's keyword/value calls take.
func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
