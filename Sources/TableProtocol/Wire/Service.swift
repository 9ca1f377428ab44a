/// The lookup services smtpd knows (`enum table_service` in smtpd.h), by their protocol names.
///
/// smtpd sends requests for any of them whether or not the table registered them, so every
/// backend must at least answer `error` for the ones it cannot serve.
package enum Service: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
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

    package var description: String { rawValue }

    /// Equal cases, compared by position (see `Operation.==`).
    package static func == (a: Service, b: Service) -> Bool { a.ordinal == b.ordinal }
    package func hash(into hasher: inout Hasher) { hasher.combine(ordinal) }

    /// The case's position in `allCases`, to index arrays by service: a `Service` key in a
    /// Dictionary is hashed by its name (the String raw value), about 300 instructions a
    /// lookup; the switch compiles to the case's number.
    var ordinal: Int {
        switch self {
        case .none: 0
        case .alias: 1
        case .domain: 2
        case .credentials: 3
        case .netaddr: 4
        case .userinfo: 5
        case .source: 6
        case .mailaddr: 7
        case .addrname: 8
        case .mailaddrmap: 9
        case .relayhost: 10
        case .string: 11
        case .regex: 12
        case .auth: 13
        }
    }

    /// Services whose lookup answer is a list of every matching row, joined with `", "`.
    package var joinsAllRows: Bool { self == .alias || self == .mailaddrmap }
}
