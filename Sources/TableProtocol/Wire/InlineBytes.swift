/// A short byte string stored in place, without a heap allocation, when it has at most 32
/// bytes, as smtpd's request ids and table names do; a longer one is kept in an array.
///
/// A String per field would cost an allocation (smtpd's ids are 16 hex digits, one byte more
/// than a String holds in place) and reference counting on every copy of the request.
@usableFromInline
struct InlineBytes: Sendable, Equatable {
    /// The bytes when they fit, zero after the last; all zero when `spilled` holds them.
    @usableFromInline var inline = SIMD32<UInt8>()
    @usableFromInline var length = 0
    @usableFromInline var spilled: [UInt8]? = nil

    init() {}

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count <= 32 {
            if let source = bytes.baseAddress {
                withUnsafeMutableBytes(of: &inline) { $0.baseAddress!.copyMemory(from: source, byteCount: bytes.count) }
            }
            length = bytes.count
        } else {
            spilled = Array(bytes)
        }
    }

    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { InlineBytes($0) }
    }

    init(_ text: String) {
        var text = text
        self = text.withUTF8 { InlineBytes($0) }
    }

    var count: Int { spilled?.count ?? length }

    /// Calls `body` with the bytes, valid only during the call. Inlinable, so that a
    /// backend's call is specialized for its closure.
    @inlinable
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let spilled { return spilled.withUnsafeBufferPointer(body) }
        return withUnsafeBytes(of: inline) { raw in
            body(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: length))
        }
    }

    var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }
}
