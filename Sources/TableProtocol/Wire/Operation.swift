/// What smtpd asks of a table.
package enum Operation: String, Sendable, Hashable, CaseIterable {
    case check
    case lookup
    case fetch
    case update

    /// Equal cases, compared by position. Written out because a `String`-backed enum may
    /// otherwise be compared through `RawRepresentable`'s `==`, by its raw strings: Swift
    /// 6.0 (Debian 13's) did so on every request.
    package static func == (a: Operation, b: Operation) -> Bool { a.ordinal == b.ordinal }
    package func hash(into hasher: inout Hasher) { hasher.combine(ordinal) }

    /// The case's position in `allCases`, to index tables by operation (see `Service.ordinal`).
    var ordinal: Int {
        switch self {
        case .check: 0
        case .lookup: 1
        case .fetch: 2
        case .update: 3
        }
    }
}
