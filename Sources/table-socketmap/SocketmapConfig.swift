#if canImport(Glibc)
import Glibc
#endif
import TableProtocol

/// What table-socketmap talks to and how.
///
/// argv[1] is either upstream's form, the path of the server's unix socket (line framing,
/// map name = table name, 5 s timeout), or the path of a regular file: a config file with
/// `socket`, `protocol`, `map` and `timeout` keys in the shared `key value` grammar.
struct SocketmapConfig: TableConfig {
    var address: SocketAddress
    var framing: SocketmapFraming
    /// The map name sent with every request; nil sends the table's name, as upstream.
    var map: String?
    /// One connection, as upstream had (many socketmap servers are simple, and smtpd asks
    /// one question at a time anyway), so no `max_connections`; the cache only from a
    /// config file.
    var settings: TableSettings

    static let keywords = ["socket", "protocol", "map"] + TableSettings.keywords(connections: false)

    /// What smtpd may check or look up; the server decides what it knows. Not `source`,
    /// which smtpd only fetches (`relay src`) and a socketmap cannot answer (upstream
    /// registered it and answered every fetch with an error).
    var services: [Service] { [.alias, .domain, .credentials, .netaddr, .userinfo, .mailaddr, .addrname, .mailaddrmap] }
    static let defaultTimeout = 5

    static func load(_ argument: String) throws(ConfigErrors) -> SocketmapConfig {
        var info = stat()
        if stat(argument, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG {
            return try loadFile(argument)
        }
        // Not a regular file: the socket itself, which may not exist yet (the server can
        // start after smtpd; the first request connects).
        guard let address = SocketAddress.parse(argument) else {
            throw ConfigErrors(path: argument, "not a socket path, inet:host:port or config file")
        }
        return SocketmapConfig(address: address, framing: .line, map: nil,
                               settings: TableSettings(timeoutSeconds: defaultTimeout, maximumConnections: 1))
    }

    static func loadFile(_ path: String) throws(ConfigErrors) -> SocketmapConfig {
        var reader = ConfigReader(try ConfigFile.load(path), keywords: keywords)
        var address: SocketAddress?
        if let entry = reader.entry("socket"), let value = entry.value {
            address = SocketAddress.parse(value)
            if address == nil {
                reader.report(entry.line, "\"socket\" must be a unix socket path or inet:host:port, not \"\(value)\"")
            }
        } else {
            reader.report(nil, "missing \"socket\": the server's unix socket path or inet:host:port")
        }
        var framing = SocketmapFraming.line
        if let entry = reader.entry("protocol"), let value = entry.value {
            if let known = SocketmapFraming(rawValue: value) {
                framing = known
            } else {
                reader.report(entry.line, "\"protocol\" must be line or netstring, not \"\(value)\"")
            }
        }
        let map = reader.string("map")
        if let map, map.contains(where: { $0 == " " || $0 == "\n" || $0 == "\r" }) {
            reader.report(key: "map", "\"map\" cannot contain spaces or line breaks")
        }
        let settings = TableSettings(&reader, timeout: defaultTimeout, connections: nil)
        try reader.finish()
        return SocketmapConfig(address: address ?? .unix(""), framing: framing, map: map, settings: settings)
    }
}
