import TableProtocol

/// table-redis: a drop-in for OpenSMTPD's table-redis 1.0.1, reading the same config file.
enum RedisTable: TableProgram {
    static let name = "redis"
    static let argumentName = "CONFIG"

    static func load(_ argument: String, logger: Logger) throws(ConfigErrors) -> RedisBackend {
        let config = try RedisConfig.load(argument)
        if config.password != nil { ConfigReader.warnIfWorldReadable(argument, logger: logger) }
        return RedisBackend(config: config)
    }
}

/// The loaded configuration. Nothing connects until the first request (after the
/// handshake), so a Redis that is down at boot does not stop smtpd from starting.
final class RedisBackend: TableBackend {
    let config: RedisConfig

    init(config: RedisConfig) { self.config = config }

    /// The eight services upstream has default commands for, plus mailaddrmap when
    /// `query_mailaddrmap` is set. Never auth: smtpd keeps checking passwords itself.
    var services: [Service] { config.services }
    var concurrency: Int { config.maximumConnections }

    func connect() throws(TableError) -> RedisConnection {
        try RedisConnection(config: config)
    }
}
