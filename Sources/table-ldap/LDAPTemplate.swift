/// A filter or DN template from the configuration (`alias_filter`, `auth_dn_template`),
/// parsed once at load into literal text and placeholders.
///
/// Placeholders, as upstream table-ldap defines them: `%u` and `%s` (the request key),
/// `%h` (the table name from the request) and `%%` (a literal `%`). Any other `%` sequence,
/// including a `%` at the end, is rejected at load: upstream only failed each request.
///
/// Substituted text is escaped for where it lands, so that a key can never change the
/// structure of the filter or DN: RFC 4515 for filters (a key `a*b)(uid=*` matches only
/// itself), RFC 4514 for DNs.
struct LDAPTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text([UInt8])
        case key
        case table
    }

    enum Escaping: Sendable {
        /// An assertion value inside a search filter (RFC 4515).
        case filter
        /// An attribute value inside a distinguished name (RFC 4514).
        case distinguishedName
    }

    struct Invalid: Error, Equatable {
        var message: String
    }

    let parts: [Part]
    let escaping: Escaping

    init(_ text: String, escaping: Escaping) throws(Invalid) {
        var parts: [Part] = []
        var literal: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            guard byte == UInt8(ascii: "%") else {
                literal.append(byte)
                continue
            }
            guard index < bytes.count else {
                throw Invalid(message: "a lone % at the end (write %% for a literal %)")
            }
            let next = bytes[index]
            index += 1
            switch next {
            case UInt8(ascii: "%"):
                literal.append(next)
            case UInt8(ascii: "u"), UInt8(ascii: "s"), UInt8(ascii: "h"):
                if !literal.isEmpty { parts.append(.text(literal)) }
                literal = []
                parts.append(next == UInt8(ascii: "h") ? .table : .key)
            default:
                let shown = String(decoding: [next], as: UTF8.self)
                throw Invalid(message: "unknown placeholder %\(shown) (use %u or %s for the key, %h for the table name, %% for %)")
            }
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        self.parts = parts
        self.escaping = escaping
    }

    /// Whether the key goes into the template anywhere.
    var usesKey: Bool { parts.contains(.key) }

    /// The template with the key and table name substituted, escaped, NUL-terminated for C.
    func expand(key: [UInt8], table: String) -> [CChar] {
        key.withUnsafeBufferPointer { key in
            Array(table.utf8).withUnsafeBufferPointer { table in expand(key: key, table: table) }
        }
    }

    /// The same from the request's own bytes (`Request.withKey`, `withTable`), copied once.
    func expand(key: UnsafeBufferPointer<UInt8>, table: UnsafeBufferPointer<UInt8>) -> [CChar] {
        var out: [CChar] = []
        out.reserveCapacity(128)
        for part in parts {
            switch part {
            case .text(let bytes):
                bytes.withUnsafeBufferPointer { Self.appendBytes($0, to: &out) }
            case .key:
                append(key, to: &out)
            case .table:
                append(table, to: &out)
            }
        }
        out.append(0)
        return out
    }

    private func append(_ value: UnsafeBufferPointer<UInt8>, to out: inout [CChar]) {
        switch escaping {
        case .filter: Self.escapeFilterValue(value, into: &out)
        case .distinguishedName: Self.escapeDNValue(value, into: &out)
        }
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends bytes as they are, in one copy (appending them one at a time cost about 25
    /// instructions a byte).
    static func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [CChar]) {
        bytes.withMemoryRebound(to: CChar.self) { out.append(contentsOf: $0) }
    }

    static func appendHex(_ byte: UInt8, into out: inout [CChar]) {
        out.append(CChar(bitPattern: UInt8(ascii: "\\")))
        out.append(CChar(bitPattern: hexDigits[Int(byte >> 4)]))
        out.append(CChar(bitPattern: hexDigits[Int(byte & 0x0f)]))
    }

    /// RFC 4515 section 3: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`.
    static func escapeFilterValue(_ value: UnsafeBufferPointer<UInt8>, into out: inout [CChar]) {
        // Most keys need no escaping: those are copied whole.
        guard value.contains(where: { isFilterSpecial($0) }) else {
            appendBytes(value, to: &out)
            return
        }
        for byte in value {
            if isFilterSpecial(byte) { appendHex(byte, into: &out) } else { out.append(CChar(bitPattern: byte)) }
        }
    }

    static func isFilterSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case 0, UInt8(ascii: "*"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"): true
        default: false
        }
    }

    /// RFC 4514 section 2.4: the special characters, a leading space or `#` and a trailing
    /// space are written as `\XX`, which every DN parser accepts.
    static func escapeDNValue(_ value: UnsafeBufferPointer<UInt8>, into out: inout [CChar]) {
        for (index, byte) in value.enumerated() {
            let special: Bool
            switch byte {
            case 0, UInt8(ascii: "\\"), UInt8(ascii: ","), UInt8(ascii: "+"), UInt8(ascii: "\""),
                 UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ";"), UInt8(ascii: "="):
                special = true
            case UInt8(ascii: "#"):
                special = index == 0
            case UInt8(ascii: " "):
                special = index == 0 || index == value.count - 1
            default:
                special = false
            }
            if special { appendHex(byte, into: &out) } else { out.append(CChar(bitPattern: byte)) }
        }
    }
}
