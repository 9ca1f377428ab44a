/// What smtpd asks of a table.
package enum Operation: String, Sendable, Hashable, CaseIterable {
    case check
    case lookup
    case fetch
    case update

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
