import TableProtocol

/// The keys of a table-sqlite config file: upstream's (`dbpath` and the shared SQL query
/// keys) plus `timeout` (seconds to wait for a locked database) and `max_connections`.
struct SQLiteConfig: SQLConfig {
    var path: String
    var databasePath: String
    var databasePathLine: Int?
    var queries: SQLQueries
    /// `timeout` is how long to wait for a database locked by a writer.
    var settings: TableSettings
    var busyTimeoutSeconds: Int { settings.timeoutSeconds }

    static let keywords = ["dbpath"] + TableSettings.keywords() + SQLQueries.keywords

    static func load(_ path: String) throws(ConfigErrors) -> SQLiteConfig {
        var reader = ConfigReader(try ConfigFile.load(path), keywords: keywords)
        let queries = SQLQueries(&reader)
        let settings = TableSettings(&reader, timeoutRange: 0...3600, connections: 2)
        let databasePath = reader.string("dbpath")
        if databasePath == nil {
            reader.report(nil, "missing \"dbpath\": the path of the SQLite database")
        }
        try reader.finish()
        return SQLiteConfig(path: path, databasePath: databasePath ?? "",
                            databasePathLine: reader.entry("dbpath")?.line, queries: queries,
                            settings: settings)
    }
}

/// table-sqlite: a drop-in for OpenSMTPD's table-sqlite 1.0.1, reading the same config file.
final class SQLiteTable: SQLTable {
    static let name = "sqlite"
    let config: SQLiteConfig

    /// SQLite is a local file: it is opened and every statement prepared now, so that a
    /// wrong path, a missing table or a bad column count stops the load with the query's line.
    init(loading argument: String, logger: Logger) throws(ConfigErrors) {
        config = try SQLiteConfig.load(argument)
        let problems = SQLiteConnection.validate(config, logger: logger)
        guard problems.isEmpty else { throw ConfigErrors(problems) }
    }

    /// A locked database is waited for by SQLite's busy timeout (`timeout`), not by a
    /// deadline: there is no network to give up on.
    var requestTimeout: Double? { nil }

    func connect(until deadline: Deadline) throws(TableError) -> SQLiteConnection {
        try SQLiteConnection(config)
    }
}
