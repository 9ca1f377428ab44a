import CMariaDB
import TableProtocol

/// The keys of a table-mysql config file: upstream's (`host`, `username`, `password`,
/// `database` and the shared SQL query keys, `?` standing for the key) plus what upstream
/// lacks: several servers, `port`, `socket`, TLS, `charset`, `timeout` and
/// `max_connections`.
struct MySQLConfig: SQLConfig {
    var path: String
    /// The servers, tried in order (`host`, repeatable or a list); none: the library's
    /// default (the local server through `socket` or its default socket).
    var servers: [MySQLHost]
    var username: String?
    var password: String?
    var database: String?
    var port: Int
    var socket: String?
    var sslCA: String?
    var sslCertificate: String?
    var sslKey: String?
    var verifyServerCertificate: Bool
    var charset: String
    var queries: SQLQueries
    /// `timeout` bounds connecting and each read and write on the connection.
    var settings: TableSettings

    static let keywords = [
        "host", "username", "password", "database", "port", "socket",
        "ssl_ca", "ssl_cert", "ssl_key", "ssl_verify_server_cert", "charset",
    ] + TableSettings.keywords() + SQLQueries.keywords

    /// Reads the file, and warns through `logger` when it holds a password every user can read.
    static func load(_ path: String, logger: Logger? = nil) throws(ConfigErrors) -> MySQLConfig {
        var reader = ConfigReader(try ConfigFile.load(path), keywords: keywords, repeatable: ["host"])
        let queries = SQLQueries(&reader)
        let sslCA = reader.string("ssl_ca")
        var servers: [MySQLHost] = []
        for entry in reader.entries("host") {
            guard let value = entry.value, let listed = MySQLHost.list(value) else {
                reader.report(entry.line, "\"host\" must be host names or addresses, each with an optional :port, separated by commas or spaces, not \"\(entry.value ?? "")\"")
                continue
            }
            servers += listed
        }
        let config = MySQLConfig(
            path: path,
            servers: servers,
            username: reader.string("username"),
            password: reader.string("password"),
            database: reader.string("database"),
            port: reader.integer("port", default: 0, in: 0...65535),
            socket: reader.string("socket"),
            sslCA: sslCA,
            sslCertificate: reader.string("ssl_cert"),
            sslKey: reader.string("ssl_key"),
            verifyServerCertificate: reader.boolean("ssl_verify_server_cert", default: sslCA != nil),
            charset: reader.string("charset") ?? "utf8mb4",
            queries: queries,
            settings: TableSettings(&reader, connections: 4))
        if config.sslCertificate != nil && config.sslKey == nil {
            reader.report(key: "ssl_cert", "\"ssl_cert\" needs \"ssl_key\" (the certificate's private key)")
        }
        if config.sslKey != nil && config.sslCertificate == nil {
            reader.report(key: "ssl_key", "\"ssl_key\" needs \"ssl_cert\"")
        }
        try reader.finish()
        if config.password != nil, let logger { ConfigReader.warnIfWorldReadable(path, logger: logger) }
        return config
    }

    /// Whether any TLS key is set: the connection then refuses to go on without TLS.
    var usesTLS: Bool {
        sslCA != nil || sslCertificate != nil || sslKey != nil || verifyServerCertificate
    }
}

/// table-mysql: a drop-in for OpenSMTPD's table-mysql 1.2.1 (MySQL or MariaDB), reading the
/// same config file.
final class MySQLTable: SQLTable {
    static let name = "mysql"
    let config: MySQLConfig

    /// Only parses: the server is reached by `connect`, after the handshake, so that smtpd
    /// starts even while the database is down.
    init(loading argument: String, logger: Logger) throws(ConfigErrors) {
        config = try MySQLConfig.load(argument, logger: logger)
        MySQLLibrary.initialize()
    }


    func connect(until deadline: Deadline) throws(TableError) -> MySQLConnection {
        try MySQLConnection(config, deadline: deadline)
    }
}

/// The client library's global state, set up once before any worker thread connects
/// (mysql_library_init is not thread-safe; mysql_init would call it lazily otherwise).
enum MySQLLibrary {
    private static let initialized: Bool = mysql_server_init(0, nil, nil) == 0

    static func initialize() { _ = initialized }
}
