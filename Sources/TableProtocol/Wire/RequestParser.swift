/// Where the error reply for a request that could not be served goes: the op and id as
/// smtpd sent them, so that smtpd can match the reply to its request.
package struct ReplyAddress: Sendable, Equatable {
    package var operation: String
    package var id: String

    /// The address as it may appear in a log line: its op and id only when they look like
    /// smtpd's (a name, a hex id). A broken line can carry the auth key in either field; the
    /// reply still echoes the id so smtpd can match it.
    package var logDescription: String {
        let shownOperation = RequestParser.isPlainName(operation) ? operation : "unknown-operation"
        let shownID = RequestParser.isHexID(id) ? id : "with a malformed id"
        return "\(shownOperation) request \(shownID)"
    }
}

/// What the parser made of one input line.
package enum ParsedLine: Sendable, Equatable {
    /// A well-formed request to hand to the backend.
    case request(Request)
    /// A request that is wrong but names its op and id: it gets `error|<reason>`.
    case invalid(ReplyAddress, reason: String)
    /// A line nobody could answer (no id to reply to): logged and skipped.
    case unanswerable(reason: String)
}

/// Splits request lines. It never fails and never traps, whatever the bytes: every outcome is
/// one of the three `ParsedLine` cases.
///
/// This runs for every request smtpd sends, so it works on index ranges of the line and
/// makes only what the request keeps: the id (a String, echoed in the reply) and the key.
/// The op and service are matched as bytes, and their names are only made into text for an
/// error reply.
package enum RequestParser {
    package static let protocolVersion = versionBytes.description
    static let pipe = UInt8(ascii: "|")

    /// Parses one line (without its LF). `truncated` says the reader had to cut an overlong
    /// line: such a request is answered `error` if its id survived the cut.
    package static func parse(_ line: some Collection<UInt8>, truncated: Bool = false) -> ParsedLine {
        if let parsed = line.withContiguousStorageIfAvailable({ parse(buffer: $0, truncated: truncated) }) {
            return parsed
        }
        return Array(line).withUnsafeBufferPointer { parse(buffer: $0, truncated: truncated) }
    }

    /// `table` and the protocol version, to compare fields with without making text.
    static let magic: StaticString = "table"
    static let versionBytes: StaticString = "0.1"

    /// Parses a line in place: the server hands over the reader's own buffer.
    static func parse(buffer bytes: UnsafeBufferPointer<UInt8>, truncated: Bool) -> ParsedLine {
        var fields = FieldScanner(bytes)
        guard let magic = fields.next(), Self.magic.withUTF8Buffer({ equal(bytes[magic], $0) }) else {
            return .unanswerable(reason: "not a table request")
        }
        guard let version = fields.next(), fields.next() != nil /* timestamp */,
              let tableField = fields.next(), let opField = fields.next()
        else {
            return .unanswerable(reason: "truncated request, no operation")
        }
        guard isToken(bytes[opField]) else {
            return .unanswerable(reason: "unreadable operation field")
        }
        let operation = Operation(bytes[opField])
        var opName: String { String(decoding: bytes[opField], as: UTF8.self) }

        // Field layout after the op: update|<id>; fetch|<service>|<id>;
        // check|lookup|<service>|<id>|<key>. An unknown op is read like check/lookup,
        // the most common shape, to find an id to answer.
        var serviceField: Range<Int>? = nil
        if operation != .update {
            guard let field = fields.next() else {
                return .unanswerable(reason: "\(opName) request without a service")
            }
            serviceField = field
        }
        guard let idField = fields.next() else {
            return .unanswerable(reason: "\(opName) request without an id")
        }
        guard isToken(bytes[idField]) else {
            return .unanswerable(reason: "\(opName) request with an unreadable id")
        }
        let id = InlineBytes(UnsafeBufferPointer(rebasing: bytes[idField]))
        var address: ReplyAddress { ReplyAddress(operation: opName, id: id.string) }

        if truncated {
            return .invalid(address, reason: "request line too long")
        }
        guard versionBytes.withUTF8Buffer({ equal(bytes[version], $0) }) else {
            return .invalid(address, reason: "unsupported protocol version")
        }
        guard let operation else {
            return .invalid(address, reason: isPlainName(opName) ? "unknown operation \"\(opName)\"" : "unknown operation")
        }
        let table = InlineBytes(UnsafeBufferPointer(rebasing: bytes[tableField]))

        var service = Service.none
        if let serviceField {
            let name = bytes[serviceField]
            guard isToken(name), let known = Service(name), known != .none else {
                let text = String(decoding: name, as: UTF8.self)
                let shown = isToken(name) && isPlainName(text) ? text : nil
                return .invalid(address, reason: shown.map { "unsupported service \"\($0)\"" } ?? "unsupported service")
            }
            service = known
        }

        switch operation {
        case .update, .fetch:
            guard fields.isAtEnd else {
                return .invalid(address, reason: "unexpected fields after the id")
            }
            return .request(Request(id: id, operation: operation, service: service, key: [], table: table))
        case .check, .lookup:
            guard let key = fields.rest() else {
                return .invalid(address, reason: "missing key")
            }
            return .request(Request(id: id, operation: operation, service: service, key: Array(UnsafeBufferPointer(rebasing: bytes[key])), table: table))
        }
    }

    /// A field usable as an op, id or service name in a reply: non-empty printable ASCII.
    /// Whether a field may be echoed in a reason or a log line: a short name of lowercase
    /// letters, digits, `-` and `_` (every op and service is one). Anything else may be an
    /// auth key pushed into the wrong field by a broken line, and its password must not be
    /// logged (docs/design.md, house rule 5).
    package static func isPlainName(_ text: String) -> Bool {
        text.utf8.count <= 32 && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d || $0 == 0x5f }
    }

    /// Whether an id may be logged: smtpd's ids are hexadecimal (`%016llx`). Any other id
    /// may be an auth key pushed into the id field by a broken line.
    package static func isHexID(_ id: String) -> Bool {
        id.utf8.count <= 32 && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
    }

    /// A field usable as an op, id or service name: 1 to 256 bytes of printable ASCII.
    static func isToken(_ field: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        !field.isEmpty && field.count <= 256 && field.allSatisfy { $0 > 0x20 && $0 < 0x7f }
    }

    static func token(_ field: [UInt8]) -> String? {
        field.withUnsafeBufferPointer { isToken($0[...]) } ? String(decoding: field, as: UTF8.self) : nil
    }

    /// Whether a field holds exactly these bytes; the lengths are compared first, so most
    /// mismatches cost one comparison.
    static func equal(_ field: Slice<UnsafeBufferPointer<UInt8>>, _ name: some Collection<UInt8>) -> Bool {
        field.count == name.count && field.elementsEqual(name)
    }
}

extension Operation {
    private static let names = allCases.map { ($0, Array($0.rawValue.utf8)) }

    /// The operation named by these bytes, if any (no String made).
    init?(_ name: Slice<UnsafeBufferPointer<UInt8>>) {
        guard let found = Self.names.first(where: { RequestParser.equal(name, $0.1) }) else { return nil }
        self = found.0
    }
}

extension Service {
    private static let names = allCases.map { ($0, Array($0.rawValue.utf8)) }

    /// The service named by these bytes, if any (no String made).
    init?(_ name: Slice<UnsafeBufferPointer<UInt8>>) {
        guard let found = Self.names.first(where: { RequestParser.equal(name, $0.1) }) else { return nil }
        self = found.0
    }
}

/// Walks the `|`-separated fields of a line, as index ranges into it.
struct FieldScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var exhausted = false

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The next field up to `|` or the end of the line; nil when the line has no more fields.
    mutating func next() -> Range<Int>? {
        guard !exhausted else { return nil }
        if let end = bytes[position...].firstIndex(of: RequestParser.pipe) {
            defer { position = end + 1 }
            return position..<end
        }
        exhausted = true
        return position..<bytes.count
    }

    /// Everything after the last field read (the key); nil when no `|` followed it.
    mutating func rest() -> Range<Int>? {
        guard !exhausted else { return nil }
        exhausted = true
        return position..<bytes.count
    }

    var isAtEnd: Bool { exhausted }
}
