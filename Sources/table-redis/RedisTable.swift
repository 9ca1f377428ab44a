import TableProtocol

/// table-redis: a drop-in for OpenSMTPD's table-redis 1.0.1, reading the same config file.
///
/// The loaded configuration. Nothing connects until the first request (after the
/// handshake), so a Redis that is down at boot does not stop smtpd from starting.
final class RedisTable: TableBackend {
    static let name = "redis"
    static let argumentName = "CONFIG"

    let config: RedisConfig

    init(config: RedisConfig) { self.config = config }

    static func load(_ argument: String, logger: Logger) throws(ConfigErrors) -> RedisTable {
        let config = try RedisConfig.load(argument)
        if config.password != nil { ConfigReader.warnIfWorldReadable(argument, logger: logger) }
        return RedisTable(config: config)
    }

    /// The eight services upstream has default commands for, plus mailaddrmap when
    /// `query_mailaddrmap` is set. Never auth: smtpd keeps checking passwords itself.
    var services: [Service] { config.services }
    var concurrency: Int { config.maximumConnections }
    var requestTimeout: Double? { Double(config.timeoutSeconds) }

    func refusal(_ operation: Operation, _ service: Service) -> String? {
        if operation == .fetch { return "table-redis does not support fetch" }
        guard config.template(for: service) != nil else {
            return service == .mailaddrmap ? "no query_mailaddrmap configured" : "table-redis does not serve \(service)"
        }
        return nil
    }

    func connect(until deadline: Deadline) throws(TableError) -> RedisConnection {
        try RedisConnection(config: config)
    }
}
