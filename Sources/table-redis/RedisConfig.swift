import TableProtocol

/// Where a Redis server listens: a TCP host and port, or a unix socket (`unix:/path`).
enum RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)

    /// `master`/`slave` syntax: `unix:/path`, or a host name or address with a separate port.
    static func server(_ value: String, port: Int) -> RedisEndpoint {
        if value.hasPrefix("unix:") { return .unix(path: String(value.dropFirst("unix:".count))) }
        return .tcp(host: value, port: port)
    }

    /// `sentinel` syntax: `host:port`, `[v6]:port` or `unix:/path`.
    static func hostAndPort(_ value: String) -> RedisEndpoint? {
        if value.hasPrefix("unix:") { return .unix(path: String(value.dropFirst("unix:".count))) }
        var host: Substring
        var portText: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return nil }
            host = value[value.index(after: value.startIndex)..<close]
            let rest = value[value.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = value.lastIndex(of: ":"), !value[..<colon].includes(":") else { return nil }
            host = value[..<colon]
            portText = value[value.index(after: colon)...]
        }
        guard !host.isEmpty, !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
              let port = Int(portText), (1...65535).contains(port) else { return nil }
        return .tcp(host: String(host), port: port)
    }

    var description: String {
        switch self {
        case .tcp(let host, let port): host.includes(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }
}

/// Where the data lives: fixed servers (upstream's `master` and optional `slave`), or the
/// primary that Redis Sentinel names for `sentinel_master`.
enum RedisTopology: Sendable, Equatable {
    case fixed(primary: RedisEndpoint, replica: RedisEndpoint?)
    case sentinel(sentinels: [RedisEndpoint], name: String)
}

/// A table-redis config file: upstream 1.0.1's keywords and defaults, plus
/// `query_mailaddrmap`, `username`, `timeout`, `sentinel`, `sentinel_master` and
/// `max_connections`.
struct RedisConfig: TableConfig {
    var path: String
    var topology: RedisTopology
    var username: String?
    var password: String?
    var database: Int
    var settings: TableSettings
    /// The command for each service, in registration order.
    var templates: [(service: Service, template: RedisCommandTemplate)]
    /// `fetch_source`: the command listing the addresses `relay src` rotates through (no
    /// key), and the rotation (`fetch_source_expire`, `fetch_source_refresh`).
    var fetchSource: RedisCommandTemplate?
    var rotation: FetchRotation

    /// Upstream's query keys and default commands; mailaddrmap has no default (upstream had
    /// no such key), so it is served only when configured.
    static let queryKeys: [(service: Service, key: String, defaultCommand: String?)] = [
        (.alias, "query_alias", "GET alias:%s"),
        (.domain, "query_domain", "GET domain:%s"),
        (.credentials, "query_credentials", "GET credentials:%s"),
        (.netaddr, "query_netaddr", "GET netaddr:%s"),
        (.userinfo, "query_userinfo", "GET userinfo:%s"),
        (.source, "query_source", "GET source:%s"),
        (.mailaddr, "query_mailaddr", "GET mailaddr:%s"),
        (.addrname, "query_addrname", "GET addrname:%s"),
        (.mailaddrmap, "query_mailaddrmap", nil),
    ]

    static let keywords = ["master", "master_port", "slave", "slave_port", "password", "username",
                           "database", "sentinel", "sentinel_master"] + TableSettings.keywords()
        + queryKeys.map(\.key) + ["fetch_source", "fetch_source_expire", "fetch_source_refresh"]

    func template(for service: Service) -> RedisCommandTemplate? {
        templates.first { $0.service == service }?.template
    }

    /// The services upstream has default commands for, except `source`, which smtpd only
    /// fetches (`relay src`): registered when `fetch_source` is set; mailaddrmap when
    /// `query_mailaddrmap` is. Never auth: smtpd keeps checking passwords itself.
    var services: [Service] {
        templates.map(\.service).filter { $0 != .source } + (fetchSource != nil ? [.source] : [])
    }

    /// Reads the file, and warns through `logger` when it holds a password every user can read.
    static func load(_ path: String, logger: Logger? = nil) throws(ConfigErrors) -> RedisConfig {
        var reader = ConfigReader(try ConfigFile.load(path), keywords: keywords, repeatable: ["sentinel"])

        var templates: [(Service, RedisCommandTemplate)] = []
        for (service, key, defaultCommand) in queryKeys {
            guard let command = reader.string(key) ?? defaultCommand else { continue }
            do throws(RedisCommandTemplate.ParseError) {
                templates.append((service, try RedisCommandTemplate.parse(command)))
            } catch {
                reader.report(key: key, "\(key): \(error)")
            }
        }

        var fetchSource: RedisCommandTemplate? = nil
        if let command = reader.string("fetch_source") {
            do throws(RedisCommandTemplate.ParseError) {
                let template = try RedisCommandTemplate.parse(command)
                if template.usesKey {
                    reader.report(key: "fetch_source", "fetch_source: takes no key (%s): it lists every address, e.g. SMEMBERS source")
                }
                fetchSource = template
            } catch {
                reader.report(key: "fetch_source", "fetch_source: \(error)")
            }
        }
        let rotation = FetchRotation(expire: reader.integer("fetch_source_expire", default: 60, in: 0...Int(Int32.max)),
                                     refresh: reader.integer("fetch_source_refresh", default: 1000, in: 0...Int(Int32.max)))

        let masterPort = reader.integer("master_port", default: 6379, in: 1...65535)
        let slavePort = reader.integer("slave_port", default: 6380, in: 1...65535)
        let database = reader.integer("database", default: 0, in: 0...Int(Int32.max))
        let settings = TableSettings(&reader, connections: 4)
        let username = reader.string("username")
        let password = reader.string("password")
        if username != nil && password == nil {
            reader.report(key: "username", "\"username\" needs a \"password\" (AUTH username password)")
        }

        let topology: RedisTopology
        let sentinelEntries = reader.entries("sentinel")
        if let name = reader.string("sentinel_master") {
            var sentinels: [RedisEndpoint] = []
            for entry in sentinelEntries {
                guard let value = entry.value, let endpoint = RedisEndpoint.hostAndPort(value) else {
                    reader.report(entry.line, "\"sentinel\" must be host:port, [address]:port or unix:/path, not \"\(entry.value ?? "")\"")
                    continue
                }
                sentinels.append(endpoint)
            }
            if sentinelEntries.isEmpty {
                reader.report(key: "sentinel_master", "\"sentinel_master\" needs at least one \"sentinel host:port\" line")
            }
            for key in ["master", "master_port", "slave", "slave_port"] where reader.entry(key) != nil {
                reader.report(key: key, "\"\(key)\" cannot be combined with \"sentinel_master\": Sentinel names the primary")
            }
            topology = .sentinel(sentinels: sentinels, name: name)
        } else {
            if let first = sentinelEntries.first {
                reader.report(first.line, "\"sentinel\" needs \"sentinel_master NAME\", the name the sentinels monitor")
            }
            let primary = RedisEndpoint.server(reader.string("master") ?? "127.0.0.1", port: masterPort)
            // Upstream defaulted the replica to the host name "NULL"; no replica unless asked for.
            let replica = reader.string("slave").map { RedisEndpoint.server($0, port: slavePort) }
            if reader.entry("slave_port") != nil && replica == nil {
                reader.report(key: "slave_port", "\"slave_port\" is given but \"slave\" is not")
            }
            topology = .fixed(primary: primary, replica: replica)
        }
        try reader.finish()
        if password != nil, let logger { ConfigReader.warnIfWorldReadable(path, logger: logger) }
        return RedisConfig(path: path, topology: topology, username: username, password: password,
                           database: database, settings: settings, templates: templates, fetchSource: fetchSource, rotation: rotation)
    }
}
