/// What the server reads from every backend's config file, besides what it serves.
package protocol TableConfig: Sendable {
    /// `max_connections`: how many requests are answered at once, each on a connection of
    /// its own.
    var maximumConnections: Int { get }
    /// The `cache_*` keywords (`CacheSettings`).
    var cache: CacheSettings { get }
}

/// A backend whose loaded configuration is one `Config` value: the settings the server
/// reads come from it.
package protocol ConfiguredTable: TableBackend {
    associatedtype Config: TableConfig
    var config: Config { get }
}

extension ConfiguredTable {
    package var concurrency: Int { config.maximumConnections }
    package var cache: CacheSettings { config.cache }
}

/// The config of a SQL backend: its `query_*` and `fetch_source*` keys.
package protocol SQLConfig: TableConfig {
    var queries: SQLQueries { get }
}

/// The SQL backends (sqlite, postgres, mysql): what they serve and refuse follows from
/// their queries alone.
package protocol SQLTable: ConfiguredTable where Config: SQLConfig {}

extension SQLTable {
    package var services: [Service] { config.queries.services }

    package func refusal(_ operation: Operation, _ service: Service) -> String? {
        config.queries.refusal(operation, service)
    }
}
