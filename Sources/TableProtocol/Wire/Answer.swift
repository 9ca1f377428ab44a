/// A backend's answer to one check, lookup or fetch.
package enum Answer: Sendable, Equatable {
    /// Found. For `check` the value is ignored; for lookup and fetch it is the reply value.
    case found([UInt8])
    case notFound
    /// A temporary failure; smtpd turns it into a 4xx. The message is sent after `error|`
    /// and logged by smtpd, so it must never hold a secret.
    case error(String)

    package static func found(_ value: String) -> Answer { .found(Array(value.utf8)) }

    /// The answer to a `check`: found with no value.
    package static let hit = Answer.found([])

    /// How many bytes of value the reply carries.
    var valueCount: Int {
        if case .found(let value) = self { return value.count }
        return 0
    }
}
