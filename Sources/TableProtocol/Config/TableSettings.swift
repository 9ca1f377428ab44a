/// The keywords every backend's config file shares, read once here: `timeout`,
/// `max_connections` (where a backend has more than one connection) and the cache's.
package struct TableSettings: Sendable, Equatable {
    /// `timeout`: seconds a request may take (table-sqlite: how long to wait for a locked
    /// database).
    package var timeoutSeconds: Int
    /// `max_connections`: requests answered at once, each on a connection of its own.
    package var maximumConnections: Int
    package var cache: CacheSettings

    /// The keywords read here; without `max_connections` for a backend that has one
    /// connection only.
    package static func keywords(connections: Bool = true) -> [String] {
        ["timeout"] + (connections ? ["max_connections"] : []) + CacheSettings.keywords
    }

    package init(timeoutSeconds: Int, maximumConnections: Int, cache: CacheSettings = .off) {
        self.timeoutSeconds = timeoutSeconds
        self.maximumConnections = maximumConnections
        self.cache = cache
    }

    /// Reads the keywords; problems go to the reader with their lines.
    ///
    /// - Parameters:
    ///   - timeout: `timeout`'s default and range.
    ///   - connections: `max_connections`' default, or nil for a backend with one
    ///     connection and no such keyword.
    package init(_ reader: inout ConfigReader, timeout: Int = 5, timeoutRange: ClosedRange<Int> = 1...300, connections: Int?) {
        timeoutSeconds = reader.integer("timeout", default: timeout, in: timeoutRange)
        maximumConnections = connections.map { reader.integer("max_connections", default: $0, in: 1...64) } ?? 1
        cache = CacheSettings(&reader)
    }
}
