import TableProtocol

/// A worker thread's connection to Redis: runs the service's command for each request and
/// maps the reply.
///
/// When a command gets no reply because the connection was closed (server restarted, idle
/// connection dropped, Sentinel killed clients after a failover), it reconnects and sends
/// the command once more: lookups are read-only, so a retry cannot do harm, and smtpd sees
/// one answer. A timeout is not retried (the server hangs: a second try would double the
/// wait); the connection is then dropped and the server loop reconnects with backoff.
final class RedisConnection: TableConnection {
    let config: RedisConfig
    private let session: RedisSession
    private var link: RedisLink?

    init(config: RedisConfig) throws(TableError) {
        self.config = config
        self.session = RedisSession(config: config)
        self.link = try session.open()
    }

    var isUsable: Bool { link?.isHealthy ?? false }

    func answer(_ request: Request) -> Answer {
        switch request.operation {
        case .check, .lookup:
            break
        case .fetch:
            return .error("table-redis does not support fetch")
        case .update:
            return .error("update is handled by the server")
        }
        guard let template = config.template(for: request.service) else {
            if request.service == .mailaddrmap { return .error("no query_mailaddrmap configured") }
            return .error("table-redis does not serve \(request.service)")
        }
        let command = template.commandName
        let value: RedisValue
        do {
            value = try execute(template.command(key: request.key))
        } catch {
            return .error(error.message)
        }
        if request.operation == .check {
            return RedisAnswer.check(value, command: command)
        }
        return RedisAnswer.lookup(value, service: request.service, key: request.key, command: command)
    }

    private func execute(_ command: RedisCommand) throws(TableError) -> RedisValue {
        var retried = false
        while true {
            let current: RedisLink
            if let link, link.isHealthy {
                current = link
            } else {
                link = nil
                current = try session.open()
                link = current
                retried = true
            }
            do {
                return try current.command(command)
            } catch {
                link = nil
                if error.kind == .closed && !retried {
                    retried = true
                    continue
                }
                throw TableError(.connection, "redis: \(error.message)")
            }
        }
    }
}
