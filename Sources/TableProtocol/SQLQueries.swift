/// One configured SQL statement: its config key, the service it answers, its text, the line it
/// was given on and the number of columns it must return.
///
/// A class, immutable: each request passes its query down to the backend, and copying a
/// struct retained and released both of its strings every time.
public final class SQLQuery: Sendable, Equatable {
    public let key: String
    public let service: Service
    public let sql: String
    public let line: Int
    public let columns: Int
    /// Whether the key is bound to it (every `query_*`; `fetch_source` takes none).
    public let takesKey: Bool
    /// Its place among the statements a connection prepares, `0..<SQLQueries.slotCount`:
    /// backends keep their prepared statements in an array indexed by it, instead of a
    /// Dictionary that hashed the query's name on every request.
    public let slot: Int

    init(key: String, service: Service, sql: String, line: Int, columns: Int, takesKey: Bool, slot: Int) {
        self.key = key
        self.service = service
        self.sql = sql
        self.line = line
        self.columns = columns
        self.takesKey = takesKey
        self.slot = slot
    }

    public static func == (a: SQLQuery, b: SQLQuery) -> Bool {
        a.key == b.key && a.service == b.service && a.sql == b.sql && a.line == b.line
            && a.columns == b.columns && a.takesKey == b.takesKey && a.slot == b.slot
    }
}

extension SQLQuery {
    /// What is wrong with the statement as prepared, if anything: its column count, and
    /// whether it has a parameter for the key (a `query_*`) or none (`fetch_source`). The
    /// three SQL backends check the same thing after preparing; only the placeholder and
    /// the handling of extra parameters differ.
    ///
    /// - Parameters:
    ///   - placeholder: how the key is written in this dialect (`?`, `$1`).
    ///   - extraParameters: the problem when a `query_*` has more than one parameter, or
    ///     nil when the backend accepts that (SQLite binds the key to the first only).
    public func shapeProblem(columns: Int, parameters: Int, placeholder: String,
                             extraParameters: ((Int) -> String)?) -> String? {
        if columns != self.columns {
            return "must return \(self.columns) column\(self.columns == 1 ? "" : "s"), returns \(columns)"
        }
        if takesKey && parameters == 0 {
            return "has no parameter for the key (write \(placeholder) where the key goes)"
        }
        if takesKey && parameters > 1, let extraParameters {
            return extraParameters(parameters)
        }
        if !takesKey && parameters > 0 {
            return "takes no parameter, has \(parameters)"
        }
        return nil
    }
}

/// The query keys the SQL backends share (sqlite, postgres, mysql), read from a config file.
///
/// Every `query_*` is optional; the table registers exactly the services it has a query for.
/// `query_auth` (ours, not upstream's) returns the stored hash for a user name and makes the
/// table answer smtpd's `auth` service itself.
///
/// A class, immutable once loaded: the request path reads it through the `SQLConnection`
/// protocol, where a struct was copied (every array, dictionary and string in it retained and
/// released) on each request.
public final class SQLQueries: Sendable {
    /// Services in registration order, with their key and expected column count.
    public static let lookupKeys: [(service: Service, key: String, columns: Int)] = [
        (.alias, "query_alias", 1),
        (.domain, "query_domain", 1),
        (.credentials, "query_credentials", 2),
        (.netaddr, "query_netaddr", 1),
        (.userinfo, "query_userinfo", 3),
        (.source, "query_source", 1),
        (.mailaddr, "query_mailaddr", 1),
        (.addrname, "query_addrname", 1),
        (.mailaddrmap, "query_mailaddrmap", 1),
        (.auth, "query_auth", 1),
    ]

    /// How many statements a connection may prepare: one per `query_*`, and fetch_source.
    public static var slotCount: Int { lookupKeys.count + 1 }

    public static let keywords: [String] =
        lookupKeys.map(\.key) + ["fetch_source", "fetch_source_expire", "fetch_source_refresh"]

    public let lookups: [Service: SQLQuery]
    /// `lookups` by `Service.ordinal`, for the request path (see `lookup(for:)`).
    private let byService: [SQLQuery?]
    public let fetchSource: SQLQuery?
    public let rotation: FetchRotation

    /// Reads the query keys; problems (e.g. no query at all) go to the reader.
    public init(_ reader: inout ConfigReader) {
        var lookups: [Service: SQLQuery] = [:]
        for (slot, (service, key, columns)) in Self.lookupKeys.enumerated() {
            if let entry = reader.entry(key), let sql = entry.value {
                lookups[service] = SQLQuery(key: key, service: service, sql: sql, line: entry.line, columns: columns,
                                            takesKey: true, slot: slot)
            }
        }
        var fetchSource: SQLQuery? = nil
        if let entry = reader.entry("fetch_source"), let sql = entry.value {
            fetchSource = SQLQuery(key: "fetch_source", service: .source, sql: sql, line: entry.line, columns: 1,
                                   takesKey: false, slot: Self.lookupKeys.count)
        }
        var byService = [SQLQuery?](repeating: nil, count: Service.allCases.count)
        for (service, query) in lookups { byService[service.ordinal] = query }
        self.lookups = lookups
        self.byService = byService
        self.fetchSource = fetchSource
        let expire = reader.integer("fetch_source_expire", default: 60, in: 0...Int(Int32.max))
        let refresh = reader.integer("fetch_source_refresh", default: 1000, in: 0...Int(Int32.max))
        rotation = FetchRotation(expire: expire, refresh: refresh)
        if lookups.isEmpty && fetchSource == nil {
            reader.report(nil, "no query configured: give at least one query_* or fetch_source")
        }
    }

    /// The `query_*` configured for a service, found without hashing on every request.
    public func lookup(for service: Service) -> SQLQuery? {
        byService[service.ordinal]
    }

    /// Every statement to prepare on a new connection.
    public var all: [SQLQuery] {
        Self.lookupKeys.compactMap { lookups[$0.service] } + (fetchSource.map { [$0] } ?? [])
    }

    /// The services to register: one per configured query (fetch_source serves `source`).
    public var services: [Service] {
        Self.lookupKeys.map(\.service).filter { service in
            lookups[service] != nil || (service == .source && fetchSource != nil)
        }
    }
}

/// A connection that can run the shared SQL queries; the request handling on top of it
/// (which query, how rows become an answer, fetch rotation, auth) is the same for every
/// SQL backend and lives in this protocol's extension.
public protocol SQLConnection: TableConnection {
    var queries: SQLQueries { get }

    /// Runs `query` with `key` bound (nil for `fetch_source`) and calls `row` for each result
    /// row until it returns false. `row` gets a function from column index to the column's
    /// bytes, nil for SQL NULL.
    func run(_ query: SQLQuery, key: [UInt8]?, row: ((Int) -> [UInt8]?) -> Bool) throws(TableError)
}

extension SQLConnection {
    public func answer(_ request: Request) -> Answer {
        do {
            switch request.operation {
            case .fetch:
                guard request.service == .source else {
                    return .error("fetch is only supported for source")
                }
                guard let query = queries.fetchSource else { return .error("no fetch_source configured") }
                return queries.rotation.next { () throws(TableError) in
                    var addresses: [[UInt8]] = []
                    try run(query, key: nil) { column in
                        if let address = column(0) { addresses.append(address) }
                        return true
                    }
                    return addresses
                }
            case .check where request.service == .auth:
                return try authenticate(request.key)
            case .check:
                let query = try self.query(for: request.service)
                var found = false
                try run(query, key: request.key) { _ in
                    found = true
                    return false
                }
                return found ? .hit : .notFound
            case .lookup:
                guard request.service != .auth else { return .error("auth is answered by check, not lookup") }
                let query = try self.query(for: request.service)
                var value = LookupValue(service: request.service, source: query.key)
                try run(query, key: request.key) { column in
                    value.add(columns: query.columns, column)
                    return value.wantsMoreRows
                }
                return value.answer()
            case .update:
                return .error("update is handled by the server")
            }
        } catch {
            return .error(error.message)
        }
    }

    func query(for service: Service) throws(TableError) -> SQLQuery {
        guard let query = queries.lookup(for: service) else {
            throw TableError(.unsupported, "no query_\(service) configured")
        }
        return query
    }

    /// `check auth user:password`: fetch the user's stored hash with `query_auth` and verify
    /// the password against it. Wrong password and unknown user are both not-found.
    func authenticate(_ key: [UInt8]) throws(TableError) -> Answer {
        let query = try self.query(for: .auth)
        guard let colon = key.firstIndex(of: UInt8(ascii: ":")) else {
            return .error("auth key is not user:password")
        }
        let user = Array(key[..<colon])
        let password = Array(key[(colon + 1)...])
        var hash: [UInt8]? = nil
        try run(query, key: user) { column in
            hash = column(0)
            return false
        }
        guard let hash, !password.isEmpty else { return .notFound }
        return CryptHash.verify(password: password, hash: hash) ? .hit : .notFound
    }
}
