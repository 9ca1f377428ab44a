#if canImport(Glibc)
import Glibc
#endif

/// Builds reply lines, enforcing what keeps smtpd alive: a lookup or fetch value is never
/// empty, never holds CR, LF or NUL, and never exceeds `maximumValueLength` (the C backends'
/// 2047 bytes, the size of smtpd's own buffers). A value that breaks a rule becomes `error`.
package enum Reply {
    package static let maximumValueLength = 2047
    static let maximumMessageLength = 200

    /// The reply line (with its LF) to a request, and the answer that was really sent
    /// (the value check may have turned a `found` into an `error`).
    package static func encode(operation: Operation, id: String, answer: Answer) -> (line: [UInt8], sent: Answer) {
        let sent = checked(answer, for: operation)
        let id = InlineBytes(id)
        let line = ReplyWriter.bytes(capacity: lineLength(operation, idCount: id.count, sent)) { writer in
            writer.line(operation, id: id, sent)
        }
        return (line, sent)
    }

    /// What a reply said, for the log line that follows it.
    enum Outcome: Equatable {
        case found
        case notFound
        case error(String)
    }

    /// The longest reply line: `update-result|`, an id of 256 bytes, `|found|`, the
    /// longest value and the LF (an error message is at most `maximumMessageLength`).
    static let maximumLineLength = 14 + 256 + 1 + 6 + maximumValueLength + 1

    /// Writes the reply line to a request into `buffer` (at least `maximumLineLength`
    /// bytes: the connection slot's, reused for every reply) and returns its length and
    /// what it said (the value check may have turned a `found` into an `error`).
    static func write(operation: Operation, id: InlineBytes, answer: borrowing Answer,
                      into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, outcome: Outcome) {
        var writer = ReplyWriter(buffer)
        if let refused = refusal(of: answer, for: operation) {
            writer.line(operation, id: id, .error(refused))
            return (writer.count, .error(refused))
        }
        writer.line(operation, id: id, answer)
        switch answer {
        case .found: return (writer.count, .found)
        case .notFound: return (writer.count, .notFound)
        case .error(let message): return (writer.count, .error(message))
        }
    }

    /// What follows the id in a reply: `found|<value>` for a lookup or fetch, `found` for a
    /// check, `ok` for an update, `not-found`, or `error|<message>`. The command line prints
    /// this for the one request it answers.
    package static func body(operation: Operation, answer: Answer) -> [UInt8] {
        ReplyWriter.bytes(capacity: bodyLength(operation, answer)) { $0.body(operation, answer) }
    }

    /// The error reply to a request the parser could not accept.
    package static func encodeError(_ address: ReplyAddress, reason: String) -> [UInt8] {
        let answer = Answer.error(reason)
        let id = InlineBytes(address.id)
        if let known = Operation(rawValue: address.operation) {
            return ReplyWriter.bytes(capacity: lineLength(known, idCount: id.count, answer)) { $0.line(known, id: id, answer) }
        }
        // An op this table does not know: `<op>-result|<id>|error|<reason>`.
        let prefix = Array("\(address.operation)-result|".utf8)
        return ReplyWriter.bytes(capacity: prefix.count + id.count + bodyLength(.check, answer) + 2) { writer in
            prefix.withUnsafeBufferPointer { writer.append($0) }
            writer.append(id)
            writer.append(UInt8(ascii: "|"))
            writer.body(.check, answer)
            writer.append(0x0A)
        }
    }

    /// The answer as it may be sent: the same, or an `error` naming what is wrong with its
    /// value.
    static func checked(_ answer: Answer, for operation: Operation) -> Answer {
        refusal(of: answer, for: operation).map { .error($0) } ?? answer
    }

    /// What makes a lookup or fetch value unfit to send, or nil when it is fine (or the
    /// answer carries no value). Only looks: the answer is not copied.
    static func refusal(of answer: borrowing Answer, for operation: Operation) -> String? {
        guard operation == .lookup || operation == .fetch else { return nil }
        switch answer {
        case .found(let value):
            if value.isEmpty || value.count > maximumValueLength || value.withUnsafeBufferPointer(hasForbiddenByte) {
                return unfitValue(value)
            }
            return nil
        case .notFound, .error:
            return nil
        }
    }

    /// Why a value `refusal` found unfit cannot be sent. Out of line: it runs only for a
    /// broken value, and its text would take room in the code of every reply.
    @inline(never)
    static func unfitValue(_ value: [UInt8]) -> String {
        if value.isEmpty { return "empty value" }
        if value.count > maximumValueLength { return "value too large (\(value.count) bytes)" }
        if value.contains(0x0A) || value.contains(0x0D) { return "value contains a line break" }
        return "value contains a NUL byte"
    }

    /// Whether `bytes` hold LF, CR or NUL, which would end or cut smtpd's line. One pass,
    /// eight bytes at a time (a credentials value is about 80 bytes), then byte by byte.
    static func hasForbiddenByte(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        ByteWord.contains(in: bytes,
                          word: { ByteWord.zeroBytes($0) | ByteWord.bytes($0, equalTo: 0x0A) | ByteWord.bytes($0, equalTo: 0x0D) != 0 },
                          byte: { $0 == 0x0A || $0 == 0x0D || $0 == 0 })
    }

    /// The length of the whole line: `<op>-result|<id>|`, the body and the LF.
    static func lineLength(_ operation: Operation, idCount: Int, _ answer: borrowing Answer) -> Int {
        operation.resultPrefix.utf8CodeUnitCount + idCount + 1 + bodyLength(operation, answer) + 1
    }

    static func bodyLength(_ operation: Operation, _ answer: borrowing Answer) -> Int {
        switch answer {
        case .found(let value):
            switch operation {
            case .update: return 2
            case .check: return 5
            case .lookup, .fetch: return 6 + value.count
            }
        case .notFound: return 15
        case .error(let message): return 6 + max(message.utf8.count, 13)
        }
    }

    /// An error message fit for one protocol line: no control bytes, bounded length, never
    /// empty.
    static func sanitized(_ message: String) -> [UInt8] {
        var bytes = Array(message.utf8.prefix(maximumMessageLength)).map { $0 < 0x20 || $0 == 0x7f ? UInt8(ascii: " ") : $0 }
        if bytes.isEmpty { bytes = Array("unknown error".utf8) }
        return bytes
    }
}

/// Writes a reply into memory sized for it beforehand (`Reply.lineLength`,
/// `Reply.maximumLineLength`), with plain copies: building the line with Array appends costs
/// a uniqueness check and a capacity check per piece, a third of the server's own work per
/// request.
struct ReplyWriter {
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    /// An array of at most `capacity` bytes, filled by `write`.
    static func bytes(capacity: Int, _ write: (inout ReplyWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { storage, initialized in
            var writer = ReplyWriter(UnsafeMutableRawBufferPointer(storage))
            write(&writer)
            initialized = writer.count
        }
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(count + bytes.count <= buffer.count, "reply longer than its buffer")
        (buffer.baseAddress! + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    mutating func append(_ bytes: InlineBytes) {
        bytes.withBytes { append($0) }
    }

    mutating func append(_ byte: UInt8) {
        precondition(count < buffer.count, "reply longer than its buffer")
        buffer[count] = byte
        count += 1
    }

    /// `<op>-result|<id>|<body>` and the LF.
    mutating func line(_ operation: Operation, id: InlineBytes, _ answer: borrowing Answer) {
        append(operation.resultPrefix)
        append(id)
        append(UInt8(ascii: "|"))
        body(operation, answer)
        append(0x0A)
    }

    mutating func body(_ operation: Operation, _ answer: borrowing Answer) {
        switch answer {
        case .found(let value):
            switch operation {
            case .update: append("ok")
            case .check: append("found")
            case .lookup, .fetch:
                append("found|")
                value.withUnsafeBufferPointer { append($0) }
            }
        case .notFound:
            // update has no not-found; it is an error there.
            append(operation == .update ? "error|not found" : "not-found")
        case .error(let message):
            append("error|")
            Reply.sanitized(message).withUnsafeBufferPointer { append($0) }
        }
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
