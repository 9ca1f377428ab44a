/// The query keys the SQL backends share (sqlite, postgres, mysql), read from a config file.
///
/// Every `query_*` is optional; the table registers exactly the services smtpd can ask it
/// for with its queries (see `services`).
/// `query_auth` (ours, not upstream's) returns the stored hash for a user name and makes the
/// table answer smtpd's `auth` service itself.
///
/// A class, immutable once loaded: every request reaches it through the backend's config,
/// and a struct would be copied there (every array, dictionary and string in it retained
/// and released) on each request.
package final class SQLQueries: Sendable {
    /// Services in registration order, with their key and expected column count.
    package static let lookupKeys: [(service: Service, key: String, columns: Int)] = [
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
    package static var slotCount: Int { lookupKeys.count + 1 }

    package static let keywords: [String] =
        lookupKeys.map(\.key) + ["fetch_source", "fetch_source_expire", "fetch_source_refresh"]

    package let lookups: [Service: SQLQuery]
    /// `lookups` by `Service.ordinal`, for the request path (see `lookup(for:)`).
    private let byService: [SQLQuery?]
    package let fetchSource: SQLQuery?
    package let rotation: FetchRotation

    /// Reads the query keys; problems (e.g. no query at all) go to the reader.
    package init(_ reader: inout ConfigReader) {
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
    package func lookup(for service: Service) -> SQLQuery? {
        byService[service.ordinal]
    }

    /// Every statement to prepare on a new connection.
    package var all: [SQLQuery] {
        Self.lookupKeys.compactMap { lookups[$0.service] } + (fetchSource.map { [$0] } ?? [])
    }

    /// The services to register: one per configured query, except `source`, which smtpd
    /// only ever fetches (`relay src`): it is registered when `fetch_source` is set, so that
    /// smtpd refuses a `relay src` on a table that could never answer it when it loads its
    /// config, instead of deferring every message at run time.
    package var services: [Service] {
        Self.lookupKeys.map(\.service).filter { service in
            service == .source ? fetchSource != nil : lookups[service] != nil
        }
    }
}

extension SQLQueries {
    /// What the SQL backends refuse, the same for all three: a service without its query,
    /// fetch of anything but `source` or without `fetch_source`, and `auth` by lookup.
    package func refusal(_ operation: Operation, _ service: Service) -> String? {
        switch operation {
        case .fetch:
            guard service == .source else { return "fetch is only supported for source" }
            return fetchSource == nil ? "no fetch_source configured" : nil
        case .lookup where service == .auth:
            return "auth is answered by check, not lookup"
        case .check, .lookup, .update:
            return lookup(for: service) == nil ? "no query_\(service) configured" : nil
        }
    }
}
