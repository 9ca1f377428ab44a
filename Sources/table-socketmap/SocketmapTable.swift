import TableProtocol

/// table-socketmap: a drop-in for OpenSMTPD's table-socketmap 1.1.1 (argv[1] = the server's
/// unix socket), which can also read a config file for TCP and the netstring protocol.
enum SocketmapTable: TableProgram {
    static let name = "socketmap"
    static let argumentName = "SOCKET|CONFIG"

    static func load(_ argument: String, logger: Logger) throws(ConfigErrors) -> SocketmapBackend {
        SocketmapBackend(config: try SocketmapConfig.load(argument))
    }
}

/// Nothing connects before the first request, so a map server that is down at boot does
/// not stop smtpd from starting.
final class SocketmapBackend: TableBackend {
    let config: SocketmapConfig

    init(config: SocketmapConfig) { self.config = config }

    var services: [Service] { SocketmapConnection.services }
    /// One worker, as upstream had one connection: many socketmap servers are simple. The
    /// server loop answers lone requests (all smtpd sends) on its reader's own connection,
    /// so pipelined requests may open a second one.
    let concurrency = 1

    func connect() throws(TableError) -> SocketmapConnection {
        try SocketmapConnection(config: config)
    }
}
