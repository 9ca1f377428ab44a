import CSQLite3
import TableProtocol

/// One SQLite database handle with every configured statement prepared on it, owned by one
/// worker thread (opened with SQLITE_OPEN_NOMUTEX: the server never shares it).
final class SQLiteConnection: TableConnection {
    let queries: SQLQueries
    private let db: OpaquePointer
    /// By `SQLQuery.slot`; a constant, so reading it per request needs no exclusivity check.
    private let statements: [OpaquePointer?]
    /// Where a row's column is copied to, reused by every request on this connection.
    private let columnBuffer = ColumnBuffer()

    init(_ config: SQLiteConfig) throws(TableError) {
        queries = config.queries
        let db = try Self.open(config)
        var statements = [OpaquePointer?](repeating: nil, count: SQLQueries.slotCount)
        for query in config.queries.all {
            switch Self.prepare(query, on: db) {
            case .success(let prepared):
                statements[query.slot] = prepared.statement
            case .failure(let message):
                Self.close(db, statements)
                throw TableError(.refused, "\(query.key): \(message)")
            }
        }
        self.db = db
        self.statements = statements
    }

    deinit { Self.close(db, statements) }

    private static func close(_ db: OpaquePointer, _ statements: [OpaquePointer?]) {
        for case let statement? in statements { sqlite3_finalize(statement) }
        sqlite3_close_v2(db)
    }

    /// Opens the database read-write without creating it (a wrong `dbpath` is an error, not a
    /// new empty file); SQLite falls back to read-only when the file is write-protected.
    private static func open(_ config: SQLiteConfig) throws(TableError) -> OpaquePointer {
        SQLiteLibrary.configure()
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(config.databasePath, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(handle)
            throw TableError(.refused, "cannot open database \(config.databasePath): \(reason)")
        }
        sqlite3_busy_timeout(handle, Int32(config.busyTimeoutSeconds * 1000))
        sqlite3_extended_result_codes(handle, 1)
        return handle
    }

    struct Prepared {
        var statement: OpaquePointer
        var warnings: [String]
    }

    enum Preparation {
        case success(Prepared)
        case failure(String)
    }

    /// Prepares one query and checks what upstream only found out per request: its column
    /// count, and that a `query_*` has a parameter for the key (upstream binds the key to
    /// parameter 1, whatever its spelling: `?`, `?1`, `:name`).
    static func prepare(_ query: SQLQuery, on db: OpaquePointer) -> Preparation {
        var statement: OpaquePointer?
        // The tail points into the C string of the SQL: read it inside the same scope.
        var trailingText = ""
        let status = query.sql.withCString { sql in
            var tail: UnsafePointer<CChar>?
            let status = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            if let tail { trailingText = String(cString: tail) }
            return status
        }
        guard status == SQLITE_OK else {
            return .failure(String(cString: sqlite3_errmsg(db)))
        }
        guard let statement else { return .failure("no SQL statement") }
        let columns = Int(sqlite3_column_count(statement))
        let parameters = Int(sqlite3_bind_parameter_count(statement))
        // More than one parameter is only a warning below: upstream binds the key to the first.
        if let problem = query.shapeProblem(columns: columns, parameters: parameters, placeholder: "?", extraParameters: nil) {
            sqlite3_finalize(statement)
            return .failure(problem)
        }
        var warnings: [String] = []
        if query.takesKey && parameters > 1 {
            warnings.append("the key is bound to the first parameter only; the other \(parameters - 1) stay NULL (write ?1 to repeat the key)")
        }
        if trailingText.contains(where: { !$0.isWhitespace && $0 != ";" }) {
            warnings.append("only the first SQL statement is used; the text after it is ignored")
        }
        return .success(Prepared(statement: statement, warnings: warnings))
    }

    /// Opens the database and prepares every query, as `load` must before accepting a
    /// config; returns each problem with the line of its query, and logs warnings.
    static func validate(_ config: SQLiteConfig, logger: Logger) -> [ConfigProblem] {
        let db: OpaquePointer
        do {
            db = try open(config)
        } catch {
            return [ConfigProblem(path: config.path, line: config.databasePathLine, message: error.message)]
        }
        defer { sqlite3_close_v2(db) }
        var problems: [ConfigProblem] = []
        for query in config.queries.all {
            switch prepare(query, on: db) {
            case .success(let prepared):
                for warning in prepared.warnings { logger.warning("\(config.path):\(query.line): \(query.key): \(warning)") }
                sqlite3_finalize(prepared.statement)
            case .failure(let message):
                problems.append(ConfigProblem(path: config.path, line: query.line, message: "\(query.key): \(message)"))
            }
        }
        return problems.sorted { ($0.line ?? 0) < ($1.line ?? 0) }
    }

    func answer(_ request: Request, until deadline: Deadline) throws(TableError) -> Answer {
        try queries.answer(request) { (query, key, row) throws(TableError) in try run(query, key: key, row: row) }
    }

    /// Runs a prepared statement with the key bound to its first parameter and hands each row
    /// to `row` until it returns false.
    ///
    /// A database still locked after the busy timeout is `.timedOut`, one that can no longer
    /// be read (I/O error, file gone) `.broken`: the database could not answer, so the
    /// handle is reopened for the next request and the answer cache may serve an older
    /// answer meanwhile. Anything else (a constraint, a type error) is the request's alone.
    func run(_ query: SQLQuery, key: UnsafeBufferPointer<UInt8>?, row: (SQLRow) -> Bool) throws(TableError) {
        guard query.slot < statements.count, let statement = statements[query.slot] else {
            throw TableError(.request, "no \(query.key) configured")
        }
        // Unbound before the key's memory goes away (it is the caller's, for this call only).
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        if let key {
            // SQLITE_STATIC (nil): the key outlives every step of this statement. An empty key
            // still needs a pointer (a NULL one binds SQL NULL), and SQLite copies that one.
            let status = key.baseAddress.map { text in
                text.withMemoryRebound(to: CChar.self, capacity: key.count) {
                    sqlite3_bind_text(statement, 1, $0, Int32(key.count), nil)
                }
            } ?? sqlite3_bind_text(statement, 1, "", 0, CSQLite3_transient())
            guard status == SQLITE_OK else { throw failure(.request, query, "binding the key: ") }
        }
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw failure(Self.failureKind(status), query) }
            // The column reader is written in the call, not kept in a variable: as an
            // argument it is a non-escaping closure, whose context lives on the stack (one
            // kept in a variable is allocated on the heap for every request).
            let more = row { index in
                let position = Int32(index)
                // A text pointer means a value: SQLite gives none for NULL. Without one, the
                // type tells NULL from a value SQLite could not convert (out of memory).
                guard let text = sqlite3_column_text(statement, position) else {
                    return sqlite3_column_type(statement, position) == SQLITE_NULL ? nil : []
                }
                return columnBuffer.copy(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, position))), column: index)
            }
            if !more { return }
        }
    }
}

extension SQLiteConnection {
    /// The error for a failed call on `query`'s statement, with SQLite's message. Never
    /// inlined: building the text takes room that the code of every lookup need not share.
    @inline(never)
    func failure(_ kind: TableError.Kind, _ query: SQLQuery, _ doing: StaticString = "") -> TableError {
        TableError(kind, "\(query.key): \(doing)\(String(cString: sqlite3_errmsg(db)))")
    }

    /// What a failed step means for the handle (see `run`); extended result codes are on, so
    /// the primary code is the low byte.
    static func failureKind(_ status: Int32) -> TableError.Kind {
        switch status & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: .timedOut
        case SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_NOTADB, SQLITE_CORRUPT: .broken
        default: .request
        }
    }
}

/// SQLite's process-wide settings, made once before the first database is opened.
enum SQLiteLibrary {
    /// Memory statistics off: SQLite then takes no global mutex for every allocation it makes
    /// (several per lookup, about 500 instructions of a 12,000-instruction lookup), and the
    /// tables never read those statistics. sqlite3_config only works before SQLite
    /// initializes; if something initialized it first, the statistics simply stay on.
    private static let configured: Bool = CSQLite3_config_memstatus(0) == SQLITE_OK

    static func configure() { _ = configured }
}
