import TableProtocol

/// table-ldap: a drop-in for OpenSMTPD's table-ldap, reading the same config file, on
/// OpenLDAP's libldap (upstream's own LDAP client is broken at its latest release).
final class LDAPTable: ConfiguredTable {
    static let name = "ldap"
    let config: LDAPConfig

    /// Reads and checks the config; never touches the network (smtpd's handshake must not
    /// wait on the directory: connections are opened by the workers, lazily).
    init(loading argument: String, logger: Logger) throws(ConfigErrors) {
        config = try LDAPConfig.load(argument, logger: logger)
    }

    func refusal(_ operation: Operation, _ service: Service) -> String? {
        switch (operation, service) {
        case (.check, .auth):
            return config.authEnabled ? nil : "no auth_filter or auth_dn_template configured"
        case (_, .auth):
            return "auth is answered by check only"
        case (.fetch, _), (.update, _):
            return "\(operation) is not supported by table-ldap"
        case (.check, _), (.lookup, _):
            guard let search = config.searches[service] else { return "no \(service)_filter configured" }
            if operation == .lookup && search.attributes == nil { return "no \(service)_attributes configured" }
            return nil
        }
    }


    func connect(until deadline: Deadline) throws(TableError) -> LDAPConnection {
        try LDAPConnection(config, deadline: deadline)
    }
}
