import TableProtocol

/// A worker's connection to Redis: runs the service's command for each request and maps
/// the reply (`RedisAnswer`).
///
/// A command that gets no reply is a lost connection for `RecoveringConnection`: closed
/// (server restarted, idle connection dropped, Sentinel killed clients after a failover) is
/// sent once more on a new connection, which for Sentinel asks again which server is the
/// primary; a timeout is not (the server hangs: a second try would double the wait). A Redis
/// error reply is an answer, not a failure.
final class RedisConnection: TableConnection {
    let config: RedisConfig
    private let link: RedisLink

    init(config: RedisConfig) throws(TableError) {
        self.config = config
        self.link = try RedisSession(config: config).open()
    }

    func answer(_ request: Request, until deadline: Deadline) throws(TableError) -> Answer {
        guard let template = config.template(for: request.service) else {
            return .error("no query_\(request.service) configured")
        }
        let value: RedisValue
        do throws(TableError) {
            value = try link.command(request.withKey { template.command(key: $0) })
        } catch {
            throw error.prefixed("redis: ")
        }
        if request.operation == .check {
            return RedisAnswer.check(value, command: template.commandName)
        }
        return RedisAnswer.lookup(value, service: request.service, key: request.key, command: template.commandName)
    }
}
