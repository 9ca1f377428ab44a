#if canImport(Glibc)
import Glibc
#endif

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
/// This runs for every request smtpd sends, so it works in place on the reader's buffer:
/// fields are kept as offsets, the op and service are matched as
/// bytes, and only what the request keeps is copied (the id and table in place, the key
/// into storage the reader reuses). Names are only made into text for an error reply.
package enum RequestParser {
    package static let protocolVersion = versionBytes.description
    static let pipe = UInt8(ascii: "|")

    /// Parses one line (without its LF). `truncated` says the reader had to cut an overlong
    /// line: such a request is answered `error` if its id survived the cut.
    package static func parse(_ line: some Collection<UInt8>, truncated: Bool = false) -> ParsedLine {
        var key: [UInt8] = []
        if let parsed = line.withContiguousStorageIfAvailable({ parse(buffer: $0, truncated: truncated, keyStorage: &key) }) {
            return parsed
        }
        return Array(line).withUnsafeBufferPointer { parse(buffer: $0, truncated: truncated, keyStorage: &key) }
    }

    /// `table` and the protocol version, to compare fields with without making text.
    static let magic: StaticString = "table"
    static let versionBytes: StaticString = "0.1"

    /// Parses a line in place: the server hands over the reader's own buffer.
    ///
    /// The key is copied into `keyStorage`, which the request then shares: the reader passes
    /// the same array for every line, so once the previous request is answered (always,
    /// with smtpd) its storage is free again and reading a key allocates nothing.
    static func parse(buffer: UnsafeBufferPointer<UInt8>, truncated: Bool, keyStorage: inout [UInt8]) -> ParsedLine {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return reject(.notATableRequest, nil) }
        let fields = LineFields(base, count: buffer.count)
        switch request(in: fields, truncated: truncated, keyStorage: &keyStorage) {
        case .success(let request): return .request(request)
        case .failure(let defect): return reject(defect, fields)
        }
    }

    /// The request in a line, or the first defect found. A defect is returned, not answered
    /// where it is found (nor thrown, which calls a runtime hook at each site): each check
    /// then costs a jump, and the code that builds the answer (`reject`) is written once,
    /// outside the code every request runs.
    @inline(__always)
    private static func request(in fields: LineFields, truncated: Bool, keyStorage: inout [UInt8]) -> Result<Request, Defect> {
        guard fields.equals(fields.field(0), Self.magic) else { return .failure(.notATableRequest) }
        // magic|version|timestamp|table|op: the op is field 4.
        guard fields.has(4) else { return .failure(.noOperation) }
        let opField = fields.field(4)
        // A known name is a token: the byte check is only needed for the others.
        let operation = Operation(fields.bytes(opField))
        guard operation != nil || fields.isToken(opField) else { return .failure(.unreadableOperation) }

        // Field layout after the op: update|<id>; fetch|<service>|<id>;
        // check|lookup|<service>|<id>|<key>. An unknown op is read like check/lookup,
        // the most common shape, to find an id to answer.
        let idIndex = LineFields.idIndex(for: operation)
        if idIndex == 6 && !fields.has(5) { return .failure(.noService) }
        guard fields.has(idIndex) else { return .failure(.noID) }
        let idField = fields.field(idIndex)
        guard fields.isToken(idField) else { return .failure(.unreadableID) }

        if truncated { return .failure(.lineTooLong) }
        guard fields.equals(fields.field(1), versionBytes) else { return .failure(.unsupportedVersion) }
        guard let operation else { return .failure(.unknownOperation) }

        var service = Service.none
        if idIndex == 6 {
            guard let known = Service(fields.bytes(fields.field(5))), known != .none else { return .failure(.unsupportedService) }
            service = known
        }
        let id = InlineBytes(fields.bytes(idField))
        let table = InlineBytes(fields.bytes(fields.field(3)))
        switch operation {
        case .update, .fetch:
            guard !fields.has(idIndex + 1) else { return .failure(.fieldsAfterID) }
            return .success(Request(id: id, operation: operation, service: service, key: [], table: table))
        case .check, .lookup:
            // The key is everything after the id's `|`, separators included.
            guard fields.has(7) else { return .failure(.noKey) }
            keyStorage.replaceSubrange(keyStorage.indices, with: fields.bytes(fields.rest(after: 6)))
            return .success(Request(id: id, operation: operation, service: service, key: keyStorage, table: table))
        }
    }

    /// What is wrong with a line `parse` does not accept, in the order `request(in:)` checks
    /// (an `Error` only to be `Result`'s failure).
    enum Defect: Error {
        case notATableRequest, noOperation, unreadableOperation
        /// From here on the op field was read: the reason may name it.
        case noService, noID, unreadableID
        /// From here on the id was read too: the line gets an `error` reply.
        case lineTooLong, unsupportedVersion, unknownOperation, unsupportedService, fieldsAfterID, noKey

        var namesOperation: Bool {
            switch self {
            case .notATableRequest, .noOperation, .unreadableOperation: false
            default: true
            }
        }

        var hasID: Bool {
            switch self {
            case .notATableRequest, .noOperation, .unreadableOperation, .noService, .noID, .unreadableID: false
            default: true
            }
        }
    }

    /// The outcome for a line with `defect`: `error|<reason>` when the line gave an id to
    /// answer, else a line that is only logged. Kept out of `parse` (never inlined), so that
    /// the text it builds takes no room in the code every request runs.
    @inline(never)
    static func reject(_ defect: Defect, _ fields: LineFields?) -> ParsedLine {
        var opName = ""
        var idField: Range<Int>? = nil
        if let fields, defect.namesOperation {
            let opField = fields.field(4)
            opName = String(decoding: fields.bytes(opField), as: UTF8.self)
            if defect.hasID { idField = fields.field(LineFields.idIndex(for: Operation(fields.bytes(opField)))) }
        }
        let reason: String
        switch defect {
        case .notATableRequest: reason = "not a table request"
        case .noOperation: reason = "truncated request, no operation"
        case .unreadableOperation: reason = "unreadable operation field"
        case .noService: reason = "\(opName) request without a service"
        case .noID: reason = "\(opName) request without an id"
        case .unreadableID: reason = "\(opName) request with an unreadable id"
        case .lineTooLong: reason = "request line too long"
        case .unsupportedVersion: reason = "unsupported protocol version"
        case .unknownOperation: reason = isPlainName(opName) ? "unknown operation \"\(opName)\"" : "unknown operation"
        case .unsupportedService:
            var text = "", isToken = false
            if let fields {
                text = String(decoding: fields.bytes(fields.field(5)), as: UTF8.self)
                isToken = fields.isToken(fields.field(5))
            }
            reason = isToken && isPlainName(text) ? "unsupported service \"\(text)\"" : "unsupported service"
        case .fieldsAfterID: reason = "unexpected fields after the id"
        case .noKey: reason = "missing key"
        }
        guard let fields, let idField else { return .unanswerable(reason: reason) }
        return .invalid(ReplyAddress(operation: opName, id: InlineBytes(fields.bytes(idField)).string), reason: reason)
    }

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
    ///
    /// Eight bytes at a time, then byte by byte: an id is sixteen hex digits.
    static func isToken(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !field.isEmpty, field.count <= 256 else { return false }
        return !ByteWord.contains(in: field, word: { !ByteWord.isPrintableASCII($0) }, byte: { $0 <= 0x20 || $0 >= 0x7f })
    }

    static func token(_ field: [UInt8]) -> String? {
        field.withUnsafeBufferPointer { isToken($0) } ? String(decoding: field, as: UTF8.self) : nil
    }

    /// Whether `field` holds exactly the bytes of `name`. Always inlined: it runs for the
    /// magic, the version, the op and the service of every request.
    @inline(__always)
    static func equals(_ field: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        // withUTF8Buffer, not utf8Start, which traps on a one-character literal.
        name.withUTF8Buffer { name in
            field.count == name.count && (field.isEmpty || memcmp(field.baseAddress!, name.baseAddress!, field.count) == 0)
        }
    }
}

/// A protocol word (an operation or a service) matched against request bytes without
/// making a String: the length picks at most three candidates, one comparison settles it.
protocol ProtocolName {
    /// The name as a constant.
    var name: StaticString { get }
    /// The words of this length, if any.
    static func candidates(length: Int) -> (Self, Self?, Self?)?
}

extension ProtocolName {
    /// The word these bytes spell, if any (no String made, no table searched).
    @inline(__always)
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let (first, second, third) = Self.candidates(length: bytes.count) else { return nil }
        if RequestParser.equals(bytes, first.name) {
            self = first
        } else if let second, RequestParser.equals(bytes, second.name) {
            self = second
        } else if let third, RequestParser.equals(bytes, third.name) {
            self = third
        } else {
            return nil
        }
    }
}

extension Operation: ProtocolName {
    static func candidates(length: Int) -> (Operation, Operation?, Operation?)? {
        length == 5 ? (.check, .fetch, nil) : length == 6 ? (.lookup, .update, nil) : nil
    }

    var name: StaticString {
        switch self {
        case .check: "check"
        case .lookup: "lookup"
        case .fetch: "fetch"
        case .update: "update"
        }
    }
}

extension Service: ProtocolName {
    static func candidates(length: Int) -> (Service, Service?, Service?)? {
        switch length {
        case 4: (.none, .auth, nil)
        case 5: (.alias, .regex, nil)
        case 6: (.domain, .source, .string)
        case 7: (.netaddr, nil, nil)
        case 8: (.userinfo, .mailaddr, .addrname)
        case 9: (.relayhost, nil, nil)
        case 11: (.credentials, .mailaddrmap, nil)
        default: nil
        }
    }

    var name: StaticString {
        switch self {
        case .none: "none"
        case .alias: "alias"
        case .domain: "domain"
        case .credentials: "credentials"
        case .netaddr: "netaddr"
        case .userinfo: "userinfo"
        case .source: "source"
        case .mailaddr: "mailaddr"
        case .addrname: "addrname"
        case .mailaddrmap: "mailaddrmap"
        case .relayhost: "relayhost"
        case .string: "string"
        case .regex: "regex"
        case .auth: "auth"
        }
    }
}

/// The `|`-separated fields of a line up to a check's key, found in one pass over the bytes
/// before any field is looked at.
///
/// Fields are offset ranges into the line. A request has at most seven separators before its
/// key (magic, version, timestamp, table, op, service and id each end at one), so the pass
/// stops at the seventh: the key may contain `|` itself. The pass reads eight bytes at a
/// time (`ByteWord`).
struct LineFields {
    private let base: UnsafePointer<UInt8>
    private let count: Int
    /// Offsets of the first `separatorCount` separators. A tuple written through a pointer,
    /// not a SIMD vector: storing into a vector at a variable index copies the whole vector
    /// through memory each time.
    private var separators: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)
    private var separatorCount = 0
    static let maximumSeparators = 7

    init(_ base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
        var found = 0
        withUnsafeMutableBytes(of: &separators) { raw in
            let offsets = raw.baseAddress!.assumingMemoryBound(to: Int.self)
            var position = 0
            while found < Self.maximumSeparators && position &+ 8 <= count {
                var pipes = ByteWord.bytes(ByteWord.load(base, at: position), equalTo: RequestParser.pipe)
                while pipes != 0 && found < Self.maximumSeparators {
                    offsets[found] = position &+ pipes.trailingZeroBitCount &>> 3
                    found &+= 1
                    pipes &= pipes &- 1
                }
                position &+= 8
            }
            while found < Self.maximumSeparators && position < count {
                if base[position] == RequestParser.pipe {
                    offsets[found] = position
                    found &+= 1
                }
                position &+= 1
            }
        }
        separatorCount = found
    }

    /// The field that holds the id: `update` has no service field before it. An op that is
    /// not known (nil) is read like check and lookup.
    static func idIndex(for operation: Operation?) -> Int { operation == .update ? 5 : 6 }

    /// Whether field `index` (0 is the magic) is in the line: at least `index` separators.
    func has(_ index: Int) -> Bool { index <= separatorCount }

    /// Field `index`, which `has(index)` says is there: up to the next separator or the end.
    @inline(__always)
    func field(_ index: Int) -> Range<Int> {
        let start = index == 0 ? 0 : separator(index &- 1) &+ 1
        // Unchecked: separators are found in increasing order, each before `count`.
        return Range(uncheckedBounds: (start, index < separatorCount ? separator(index) : count))
    }

    private func separator(_ index: Int) -> Int {
        withUnsafeBytes(of: separators) { $0.load(fromByteOffset: index &* MemoryLayout<Int>.stride, as: Int.self) }
    }

    /// Everything after field `index`'s separator, to the end of the line (`has(index + 1)`).
    func rest(after index: Int) -> Range<Int> {
        Range(uncheckedBounds: (separator(index) &+ 1, count))
    }

    func bytes(_ field: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + field.lowerBound, count: field.upperBound &- field.lowerBound)
    }

    func isToken(_ field: Range<Int>) -> Bool { RequestParser.isToken(bytes(field)) }

    func equals(_ field: Range<Int>, _ name: StaticString) -> Bool { RequestParser.equals(bytes(field), name) }
}
