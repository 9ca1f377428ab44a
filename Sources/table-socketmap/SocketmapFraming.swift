#if canImport(Glibc)
import Glibc
#endif

/// How requests and replies are delimited on the socket.
///
/// - `line` is what upstream table-socketmap 1.1.1 speaks: `<map> <key>\n`, one reply line.
///   Kept as the default so existing map servers work unchanged.
/// - `netstring` is the socketmap protocol of Sendmail and Postfix: `<len>:<map> <key>,`
///   with the reply framed the same way. Length framing means any key byte is data.
enum SocketmapFraming: String, Sendable, Equatable {
    case line
    case netstring

    /// Upstream's limit on a reply line; anything longer is an error.
    static let maximumReplyLength = 100_000

    /// The request bytes for one lookup, built in one array of the right size (appending
    /// to a copy of the map, and `+` for netstrings, reallocated per request).
    func encode(map: some Collection<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        let length = map.count + 1 + key.count
        var request: [UInt8] = []
        switch self {
        case .line:
            request.reserveCapacity(length + 1)
        case .netstring:
            let header = "\(length):".utf8
            request.reserveCapacity(header.count + length + 1)
            request.append(contentsOf: header)
        }
        request.append(contentsOf: map)
        request.append(UInt8(ascii: " "))
        request.append(contentsOf: key)
        request.append(self == .line ? 0x0A : UInt8(ascii: ","))
        return request
    }

    /// Whether a key holds CR or LF, which line framing cannot carry (memchr(3): this runs
    /// for every request).
    static func hasLineBreak(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = key.baseAddress, !key.isEmpty else { return false }
        return memchr(start, 0x0A, key.count) != nil || memchr(start, 0x0D, key.count) != nil
    }

    enum Decoded: Equatable {
        /// Not a whole reply yet: read more.
        case incomplete
        /// One reply payload and the number of buffer bytes it used.
        case reply([UInt8], consumed: Int)
        /// The stream cannot be read as this framing (or the reply is too large).
        case invalid(String)
    }

    /// Looks for one complete reply at the start of `buffer`.
    func decode(_ buffer: ArraySlice<UInt8>) -> Decoded {
        switch self {
        case .line:
            guard let newline = buffer.firstIndex(of: 0x0A) else {
                return buffer.count > Self.maximumReplyLength ? .invalid("socketmap reply too large") : .incomplete
            }
            var payload = buffer[buffer.startIndex..<newline]
            guard payload.count <= Self.maximumReplyLength else { return .invalid("socketmap reply too large") }
            // A server that ends lines with CRLF: the CR is framing, not part of the value.
            if payload.last == 0x0D { payload = payload.dropLast() }
            return .reply(Array(payload), consumed: newline - buffer.startIndex + 1)
        case .netstring:
            var length = 0
            var index = buffer.startIndex
            while index < buffer.endIndex, buffer[index] != UInt8(ascii: ":") {
                let digit = buffer[index]
                guard digit >= 0x30 && digit <= 0x39, index - buffer.startIndex < 6 else {
                    return .invalid("socketmap reply is not a netstring")
                }
                length = length * 10 + Int(digit - 0x30)
                index += 1
            }
            guard index < buffer.endIndex else { return .incomplete }
            guard index > buffer.startIndex else { return .invalid("socketmap reply is not a netstring") }
            guard length <= Self.maximumReplyLength else { return .invalid("socketmap reply too large") }
            let start = index + 1
            guard buffer.endIndex - start >= length + 1 else { return .incomplete }
            guard buffer[start + length] == UInt8(ascii: ",") else {
                return .invalid("socketmap netstring reply does not end with a comma")
            }
            return .reply(Array(buffer[start..<(start + length)]), consumed: start + length + 1 - buffer.startIndex)
        }
    }
}

/// A socketmap reply payload: a status word, a space, and the value or a reason.
enum SocketmapReply: Equatable {
    case ok([UInt8])
    case notFound
    case failure(status: String, reason: String)
    case unrecognized

    /// Status words are matched without regard to case, as upstream does. `NOTFOUND` alone
    /// (without the space upstream demanded) is also not-found: it can mean nothing else.
    static func parse(_ payload: [UInt8]) -> SocketmapReply {
        let space = payload.firstIndex(of: UInt8(ascii: " "))
        let word = String(decoding: payload[..<(space ?? payload.endIndex)], as: UTF8.self).uppercased()
        let rest = space.map { Array(payload[($0 + 1)...]) }
        switch word {
        case "OK":
            guard let rest else { return .unrecognized }
            return .ok(rest)
        case "NOTFOUND":
            return .notFound
        case "TEMP", "TIMEOUT", "PERM":
            let reason = String(decoding: (rest ?? []).prefix(120), as: UTF8.self)
            return .failure(status: word, reason: reason)
        default:
            return .unrecognized
        }
    }
}
