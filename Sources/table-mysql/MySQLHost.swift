/// One server a table-mysql config names with `host`: a name or address, and its port when
/// the value gives one (`db1`, `db1:3307`, `[2001:db8::1]:3307`; a bare IPv6 address has no
/// port). Without a port, `port` applies.
struct MySQLHost: Sendable, Equatable, CustomStringConvertible {
    var host: String
    var port: Int?

    /// Every server a `host` value names: a list separated by commas or spaces, as
    /// Postfix's `hosts`; nil when an item is not a host with an optional port.
    static func list(_ value: String) -> [MySQLHost]? {
        let items = value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" })
        var servers: [MySQLHost] = []
        for item in items {
            guard let server = parse(item) else { return nil }
            servers.append(server)
        }
        return servers.isEmpty ? nil : servers
    }

    static func parse(_ item: Substring) -> MySQLHost? {
        if item.hasPrefix("[") {
            guard let close = item.firstIndex(of: "]") else { return nil }
            let host = item[item.index(after: item.startIndex)..<close]
            let rest = item[item.index(after: close)...]
            if rest.isEmpty { return host.isEmpty ? nil : MySQLHost(host: String(host), port: nil) }
            guard rest.hasPrefix(":"), let port = port(rest.dropFirst()), !host.isEmpty else { return nil }
            return MySQLHost(host: String(host), port: port)
        }
        let colons = item.filter { $0 == ":" }.count
        guard colons == 1, let colon = item.firstIndex(of: ":") else {
            // No port, or a bare IPv6 address.
            return item.isEmpty ? nil : MySQLHost(host: String(item), port: nil)
        }
        let host = item[..<colon]
        guard !host.isEmpty, let port = port(item[item.index(after: colon)...]) else { return nil }
        return MySQLHost(host: String(host), port: port)
    }

    private static func port(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(text),
              (1...65535).contains(port) else { return nil }
        return port
    }

    var description: String {
        let shown = host.includes(":") ? "[\(host)]" : host
        return port.map { "\(shown):\($0)" } ?? shown
    }
}
