/// What the server reads from every backend's config file, besides what it serves.
package protocol TableConfig: Sendable {
    /// `timeout`, `max_connections` and the cache keywords.
    var settings: TableSettings { get }
    /// The services this configuration can answer, in registration order.
    var services: [Service] { get }
}

extension TableConfig {
    package var timeoutSeconds: Int { settings.timeoutSeconds }
    package var maximumConnections: Int { settings.maximumConnections }
    package var cache: CacheSettings { settings.cache }
}

/// A backend whose loaded configuration is one `Config` value: the settings the server
/// reads come from it.
package protocol ConfiguredTable: TableBackend {
    associatedtype Config: TableConfig
    var config: Config { get }
}

extension ConfiguredTable {
    package var services: [Service] { config.services }
    package var concurrency: Int { config.maximumConnections }
    package var cache: CacheSettings { config.cache }
    /// `timeout`, for the backends whose requests wait on a server.
    package var requestTimeout: Double? { Double(config.timeoutSeconds) }
}

/// The config of a SQL backend: its `query_*` and `fetch_source*` keys.
package protocol SQLConfig: TableConfig {
    var queries: SQLQueries { get }
}

extension SQLConfig {
    package var services: [Service] { queries.services }
}

/// The SQL backends (sqlite, postgres, mysql): what they serve and refuse follows from
/// their queries alone.
package protocol SQLTable: ConfiguredTable where Config: SQLConfig {}

extension SQLTable {
    package func refusal(_ operation: Operation, _ service: Service) -> String? {
        config.queries.refusal(operation, service)
    }
}
