/// The lookup services smtpd knows (`enum table_service` in smtpd.h), by their protocol names.
///
/// smtpd sends requests for any of them whether or not the table registered them, so every
/// backend must at least answer `error` for the ones it cannot serve.
public enum Service: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case none
    case alias
    case domain
    case credentials
    case netaddr
    case userinfo
    case source
    case mailaddr
    case addrname
    case mailaddrmap
    case relayhost
    case string
    case regex
    case auth

    public var description: String { rawValue }

    /// Services whose lookup answer is a list of every matching row, joined with `", "`.
    public var joinsAllRows: Bool { self == .alias || self == .mailaddrmap }
}

/// What smtpd asks of a table.
public enum Operation: String, Sendable, Hashable, CaseIterable {
    case check
    case lookup
    case fetch
    case update
}
