#if canImport(Glibc)
import Glibc
#endif

/// Builds reply lines, enforcing what keeps smtpd alive: a lookup or fetch value is never
/// empty, never holds CR or LF, and never exceeds `maximumValueLength` (the C backends' 2047
/// bytes, the size of smtpd's own buffers). A value that breaks a rule becomes `error`.
package enum Reply {
    package static let maximumValueLength = 2047
    static let maximumMessageLength = 200

    /// The reply line (with its LF) to a request, and the answer that was really sent
    /// (the value check may have turned a `found` into an `error`).
    package static func encode(operation: Operation, id: String, answer: Answer) -> (line: [UInt8], sent: Answer) {
        var line: [UInt8] = []
        let sent = encode(operation: operation, id: InlineBytes(id), answer: answer, into: &line)
        return (line, sent)
    }

    /// Replaces the contents of `out` with the reply line; returns the answer really sent.
    /// The server passes the same array for every reply of a thread, so that building a
    /// reply allocates nothing once the array has grown to fit.
    static func encode(operation: Operation, id: InlineBytes, answer: Answer, into out: inout [UInt8]) -> Answer {
        let sent = validated(answer, for: operation)
        out.removeAll(keepingCapacity: true)
        id.withBytes { line(operation: operation, id: $0, answer: sent, into: &out) }
        return sent
    }

    /// The error reply to a request the parser could not accept.
    package static func encodeError(_ address: ReplyAddress, reason: String) -> [UInt8] {
        line(operation: address.operation, id: address.id, answer: .error(reason))
    }

    static func validated(_ answer: Answer, for operation: Operation) -> Answer {
        guard case .found(let value) = answer, operation == .lookup || operation == .fetch else {
            return answer
        }
        if value.isEmpty { return .error("empty value") }
        if value.count > maximumValueLength { return .error("value too large (\(value.count) bytes)") }
        // memchr(3) (glibc's vectorized search) instead of a closure called per byte: this
        // runs on every value sent, and a credentials value is about 80 bytes.
        let (lineBreak, nul) = value.withUnsafeBytes { raw in
            let start = raw.baseAddress!  // not empty: checked above
            return (memchr(start, 0x0A, raw.count) != nil || memchr(start, 0x0D, raw.count) != nil,
                    memchr(start, 0, raw.count) != nil)
        }
        if lineBreak { return .error("value contains a line break") }
        if nul { return .error("value contains a NUL byte") }
        return answer
    }

    /// Appends the reply to a request: `<op>-result|<id>|` and the answer in the form its
    /// op takes.
    static func line(operation: Operation, id: UnsafeBufferPointer<UInt8>, answer: Answer, into out: inout [UInt8]) {
        operation.resultPrefix.withUTF8Buffer { header($0, id, extra: answer.valueCount, into: &out) }
        body(operation: operation, answer: answer, into: &out)
        out.append(0x0A)
    }

    /// Appends what follows the id in a reply: `found|<value>` for a lookup or fetch,
    /// `found` for a check, `ok` for an update, `not-found`, or `error|<message>`. The
    /// command line prints this for the one request it answers.
    static func body(operation: Operation, answer: Answer, into out: inout [UInt8]) {
        switch answer {
        case .found(let value):
            switch operation {
            case .update: out.append("ok")
            case .check: out.append("found")
            case .lookup, .fetch:
                out.append("found|")
                out.append(contentsOf: value)
            }
        case .notFound:
            // update has no not-found; it is an error there.
            out.append(operation == .update ? "error|not found" : "not-found")
        case .error(let message):
            out.append("error|")
            out.append(contentsOf: sanitized(message))
        }
    }

    /// An error reply to a request known only by the op and id it was sent with.
    static func line(operation: String, id: String, answer: Answer) -> [UInt8] {
        var out: [UInt8] = []
        InlineBytes(id).withBytes { id in
            if let known = Operation(rawValue: operation) {
                line(operation: known, id: id, answer: answer, into: &out)
                return
            }
            Array("\(operation)-result|".utf8).withUnsafeBufferPointer { header($0, id, extra: 0, into: &out) }
            switch answer {
            case .found: out.append(contentsOf: "found".utf8)
            case .notFound: out.append(contentsOf: "not-found".utf8)
            case .error(let message):
                out.append(contentsOf: "error|".utf8)
                out.append(contentsOf: sanitized(message))
            }
            out.append(0x0A)
        }
        return out
    }

    /// Appends `<op>-result|<id>|`, with room for `extra` more bytes of answer.
    private static func header(_ resultPrefix: UnsafeBufferPointer<UInt8>, _ id: UnsafeBufferPointer<UInt8>, extra: Int, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + resultPrefix.count + id.count + extra + 32)
        out.append(contentsOf: resultPrefix)
        out.append(contentsOf: id)
        out.append(UInt8(ascii: "|"))
    }

    /// An error message fit for one protocol line: no control bytes, bounded length, never empty.
    static func sanitized(_ message: String) -> [UInt8] {
        var bytes = Array(message.utf8.prefix(maximumMessageLength)).map { $0 < 0x20 || $0 == 0x7f ? UInt8(ascii: " ") : $0 }
        if bytes.isEmpty { bytes = Array("unknown error".utf8) }
        return bytes
    }
}

extension Operation {
    /// `lookup-result|` and the like, which each reply starts with.
    var resultPrefix: StaticString {
        switch self {
        case .check: "check-result|"
        case .lookup: "lookup-result|"
        case .fetch: "fetch-result|"
        case .update: "update-result|"
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends the bytes of a string constant. A StaticString is data in the binary: copying
    /// it costs no reference counting and no lazy-initialization check, unlike a `static let`
    /// array, which the reply and parser code used before.
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }
}
