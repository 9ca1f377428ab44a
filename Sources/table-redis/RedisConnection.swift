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
        if request.operation == .fetch, let fetchSource = config.fetchSource {
            // The rotation keeps the addresses between fetches; a reload that fails is thrown
            // on (a lost connection is then replaced), and the next fetch tries again.
            return try config.rotation.next { () throws(TableError) in
                try RedisAnswer.addresses(run(fetchSource.command(key: UnsafeBufferPointer(start: nil, count: 0))),
                                          command: fetchSource.commandName)
            }
        }
        guard let template = config.template(for: request.service) else {
            return .error("no query_\(request.service) configured")
        }
        let value = try run(request.withKey { template.command(key: $0) })
        if request.operation == .check {
            return RedisAnswer.check(value, command: template.commandName)
        }
        return RedisAnswer.lookup(value, service: request.service, key: request.key, command: template.commandName)
    }

    private func run(_ command: RedisCommand) throws(TableError) -> RedisValue {
        do throws(TableError) {
            return try link.command(command)
        } catch {
            throw error.prefixed("redis: ")
        }
    }
}
