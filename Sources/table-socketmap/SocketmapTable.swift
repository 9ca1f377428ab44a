import TableProtocol

/// table-socketmap: a drop-in for OpenSMTPD's table-socketmap 1.1.1 (argv[1] = the server's
/// unix socket), which can also read a config file for TCP and the netstring protocol.
///
/// Nothing connects before the first request, so a map server that is down at boot does
/// not stop smtpd from starting.
final class SocketmapTable: ConfiguredTable {
    static let name = "socketmap"
    static let argumentName = "SOCKET|CONFIG"
    let config: SocketmapConfig

    init(loading argument: String, logger: Logger) throws(ConfigErrors) {
        config = try SocketmapConfig.load(argument)
    }

    func refusal(_ operation: Operation, _ service: Service) -> String? {
        guard operation == .check || operation == .lookup else { return "table-socketmap does not support \(operation)" }
        return services.contains(service) ? nil : "table-socketmap does not serve \(service)"
    }


    func connect(until deadline: Deadline) throws(TableError) -> SocketmapConnection {
        try SocketmapConnection(config: config, deadline: deadline)
    }
}
