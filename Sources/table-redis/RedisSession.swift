import TableProtocol

/// Opens a ready-to-use connection to the server that holds the data: connects, sends
/// `AUTH` and `SELECT`, and with Sentinel first asks which server is the primary and then
/// checks with `ROLE` that it still is.
///
/// Fixed servers: the primary (`master`) is tried first, then the replica (`slave`) if one
/// is configured. Every new connection tries the primary again, so service goes back to it
/// as soon as it is back (upstream stayed on the replica until smtpd restarted).
struct RedisSession: Sendable {
    let config: RedisConfig

    func open() throws(TableError) -> RedisLink {
        switch config.topology {
        case .fixed(let primary, let replica):
            do {
                return try prepared(primary)
            } catch let primaryFailure {
                guard let replica else { throw primaryFailure }
                do {
                    return try prepared(replica)
                } catch {
                    throw TableError(.refused, "\(primaryFailure.message); replica: \(error.message)")
                }
            }
        case .sentinel(let sentinels, let name):
            let primary = try askSentinels(sentinels, name: name)
            let link = try prepared(primary)
            try requirePrimaryRole(link)
            return link
        }
    }

    /// Connects to one server and sends `AUTH` (with `username` if set) and `SELECT`.
    func prepared(_ endpoint: RedisEndpoint) throws(TableError) -> RedisLink {
        let link: RedisLink
        do {
            link = try RedisLink(endpoint, timeoutSeconds: config.timeoutSeconds)
        } catch {
            throw TableError(.refused, "cannot connect to redis at \(error.message)")
        }
        if let password = config.password {
            var arguments = [Array("AUTH".utf8)]
            if let username = config.username { arguments.append(Array(username.utf8)) }
            arguments.append(Array(password.utf8))
            // The reply to AUTH never echoes the password; the command itself is never logged.
            switch try run(link, arguments, step: "AUTH") {
            case .status: break
            case .error(let text): throw TableError(.refused, "redis at \(endpoint) refused AUTH: \(text)")
            default: throw TableError(.refused, "redis at \(endpoint) gave an unexpected reply to AUTH")
            }
        }
        if config.database != 0 {
            switch try run(link, [Array("SELECT".utf8), Array(String(config.database).utf8)], step: "SELECT") {
            case .status: break
            case .error(let text): throw TableError(.refused, "redis at \(endpoint) refused SELECT \(config.database): \(text)")
            default: throw TableError(.refused, "redis at \(endpoint) gave an unexpected reply to SELECT")
            }
        }
        return link
    }

    /// Asks each sentinel in turn `SENTINEL get-master-addr-by-name NAME`; the first answer wins.
    func askSentinels(_ sentinels: [RedisEndpoint], name: String) throws(TableError) -> RedisEndpoint {
        var problems: [String] = []
        for sentinel in sentinels {
            do {
                let link = try RedisLink(sentinel, timeoutSeconds: config.timeoutSeconds)
                let reply = try link.command([Array("SENTINEL".utf8), Array("get-master-addr-by-name".utf8), Array(name.utf8)])
                switch reply {
                case .array(let parts) where parts.count == 2:
                    if case .string(let host) = parts[0], case .string(let portText) = parts[1],
                       let port = Int(String(decoding: portText, as: UTF8.self)), (1...65535).contains(port) {
                        return .tcp(host: String(decoding: host, as: UTF8.self), port: port)
                    }
                    problems.append("sentinel \(sentinel): unreadable address for \"\(name)\"")
                case .null, .array:
                    problems.append("sentinel \(sentinel) does not monitor \"\(name)\"")
                case .error(let text):
                    problems.append("sentinel \(sentinel): \(text)")
                default:
                    problems.append("sentinel \(sentinel): unexpected reply")
                }
            } catch {
                problems.append("sentinel \(error.message)")
            }
        }
        throw TableError(.refused, "no sentinel named the primary: " + problems.joined(separator: "; "))
    }

    /// A server Sentinel names may have been demoted since (failover in progress): `ROLE`
    /// must say `master`, or the connection is refused and the next request asks again.
    func requirePrimaryRole(_ link: RedisLink) throws(TableError) {
        let reply = try run(link, [Array("ROLE".utf8)], step: "ROLE")
        if case .array(let parts) = reply, case .string(let role)? = parts.first, role == Array("master".utf8) {
            return
        }
        throw TableError(.refused, "redis at \(link.endpoint) is not the primary (failover in progress?)")
    }

    private func run(_ link: RedisLink, _ arguments: [[UInt8]], step: String) throws(TableError) -> RedisValue {
        do {
            return try link.command(arguments)
        } catch {
            throw TableError(.refused, "redis \(step) failed: \(error.message)")
        }
    }
}
