import TableProtocol

/// table-redis: a drop-in for OpenSMTPD's table-redis 1.0.1, reading the same config file.
///
/// The loaded configuration. Nothing connects until the first request (after the
/// handshake), so a Redis that is down at boot does not stop smtpd from starting.
final class RedisTable: ConfiguredTable {
    static let name = "redis"
    let config: RedisConfig

    init(loading argument: String, logger: Logger) throws(ConfigErrors) {
        config = try RedisConfig.load(argument, logger: logger)
    }

    func refusal(_ operation: Operation, _ service: Service) -> String? {
        if operation == .fetch {
            guard service == .source else { return "fetch is only supported for source" }
            return config.fetchSource == nil ? "no fetch_source configured" : nil
        }
        guard config.template(for: service) != nil else {
            return service == .mailaddrmap ? "no query_mailaddrmap configured" : "table-redis does not serve \(service)"
        }
        return nil
    }

    func connect(until deadline: Deadline) throws(TableError) -> RedisConnection {
        try RedisConnection(config: config)
    }
}
