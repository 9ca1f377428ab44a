import TableProtocol

/// table-ldap: a drop-in for OpenSMTPD's table-ldap, reading the same config file, on
/// OpenLDAP's libldap (upstream's own LDAP client is broken at its latest release).
enum LDAPTable: TableProgram {
    static let name = "ldap"
    static let argumentName = "CONFIG"

    /// Reads and checks the config; never touches the network (smtpd's handshake must not
    /// wait on the directory: connections are opened by the workers, lazily).
    static func load(_ argument: String, logger: Logger) throws(ConfigErrors) -> LDAPBackend {
        LDAPBackend(config: try LDAPConfig.load(argument, logger: logger))
    }
}

final class LDAPBackend: TableBackend {
    let config: LDAPConfig

    init(config: LDAPConfig) { self.config = config }

    var services: [Service] { config.services }

    /// One worker thread, and so one LDAP connection, per `max_connections`.
    var concurrency: Int { config.maximumConnections }

    func connect() throws(TableError) -> LDAPConnection {
        try LDAPConnection(config)
    }
}
