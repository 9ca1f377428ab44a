/// A backend's answer to one check, lookup or fetch.
public enum Answer: Sendable, Equatable {
    /// Found. For `check` the value is ignored; for lookup and fetch it is the reply value.
    case found([UInt8])
    case notFound
    /// A temporary failure; smtpd turns it into a 4xx. The message is sent after `error|`
    /// and logged by smtpd, so it must never hold a secret.
    case error(String)

    public static func found(_ value: String) -> Answer { .found(Array(value.utf8)) }

    /// The answer to a `check`: found with no value.
    public static let hit = Answer.found([])

    /// How many bytes of value the reply carries.
    var valueCount: Int {
        if case .found(let value) = self { return value.count }
        return 0
    }
}

/// Builds reply lines, enforcing what keeps smtpd alive: a lookup or fetch value is never
/// empty, never holds CR or LF, and never exceeds `maximumValueLength` (the C backends' 2047
/// bytes, the size of smtpd's own buffers). A value that breaks a rule becomes `error`.
public enum Reply {
    public static let maximumValueLength = 2047
    static let maximumMessageLength = 200

    /// The reply line (with its LF) to a request, and the answer that was really sent
    /// (the value check may have turned a `found` into an `error`).
    public static func encode(operation: Operation, id: String, answer: Answer) -> (line: [UInt8], sent: Answer) {
        let sent = validated(answer, for: operation)
        return (line(operation: operation, id: id, answer: sent), sent)
    }

    /// The error reply to a request the parser could not accept.
    public static func encodeError(_ address: ReplyAddress, reason: String) -> [UInt8] {
        line(operation: address.operation, id: address.id, answer: .error(reason))
    }

    static func validated(_ answer: Answer, for operation: Operation) -> Answer {
        guard case .found(let value) = answer, operation == .lookup || operation == .fetch else {
            return answer
        }
        if value.isEmpty { return .error("empty value") }
        if value.count > maximumValueLength { return .error("value too large (\(value.count) bytes)") }
        if value.contains(where: { $0 == 0x0A || $0 == 0x0D }) { return .error("value contains a line break") }
        if value.contains(0) { return .error("value contains a NUL byte") }
        return answer
    }

    /// The reply to a request: `<op>-result|<id>|` and the answer in the form its op takes.
    static func line(operation: Operation, id: String, answer: Answer) -> [UInt8] {
        var out = header(operation.rawValue, id, extra: answer.valueCount)
        switch answer {
        case .found(let value):
            switch operation {
            case .update: out.append(contentsOf: "ok".utf8)
            case .check: out.append(contentsOf: "found".utf8)
            case .lookup, .fetch:
                out.append(contentsOf: "found|".utf8)
                out.append(contentsOf: value)
            }
        case .notFound:
            // update has no not-found; it is an error there.
            out.append(contentsOf: (operation == .update ? "error|not found" : "not-found").utf8)
        case .error(let message):
            out.append(contentsOf: "error|".utf8)
            out.append(contentsOf: sanitized(message))
        }
        out.append(0x0A)
        return out
    }

    /// An error reply to a request known only by the op and id it was sent with.
    static func line(operation: String, id: String, answer: Answer) -> [UInt8] {
        if let known = Operation(rawValue: operation) { return line(operation: known, id: id, answer: answer) }
        var out = header(operation, id, extra: 0)
        switch answer {
        case .found: out.append(contentsOf: "found".utf8)
        case .notFound: out.append(contentsOf: "not-found".utf8)
        case .error(let message):
            out.append(contentsOf: "error|".utf8)
            out.append(contentsOf: sanitized(message))
        }
        out.append(0x0A)
        return out
    }

    private static func header(_ operation: String, _ id: String, extra: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(operation.utf8.count + id.utf8.count + extra + 32)
        out.append(contentsOf: operation.utf8)
        out.append(contentsOf: "-result|".utf8)
        out.append(contentsOf: id.utf8)
        out.append(UInt8(ascii: "|"))
        return out
    }

    /// An error message fit for one protocol line: no control bytes, bounded length, never empty.
    static func sanitized(_ message: String) -> [UInt8] {
        var bytes = Array(message.utf8.prefix(maximumMessageLength)).map { $0 < 0x20 || $0 == 0x7f ? UInt8(ascii: " ") : $0 }
        if bytes.isEmpty { bytes = Array("unknown error".utf8) }
        return bytes
    }
}
