/// A short byte string stored in place (no heap allocation) when it has at most 32 bytes, as
/// smtpd's request ids and table names do; a longer one is kept in an array.
struct InlineBytes: Sendable, Equatable {
    /// The bytes when they fit, zero after the last; all zero when `spilled` holds them.
    private var inline = SIMD32<UInt8>()
    private var count = 0
    private var spilled: [UInt8]? = nil

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count <= 32 {
            withUnsafeMutableBytes(of: &inline) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
            count = bytes.count
        } else {
            spilled = Array(bytes)
        }
    }

    init(_ text: String) {
        var text = text
        self = text.withUTF8 { InlineBytes($0) }
    }

    /// Calls `body` with the bytes, valid only during the call.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let spilled { return spilled.withUnsafeBufferPointer(body) }
        return withUnsafeBytes(of: inline) { raw in
            body(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count))
        }
    }

    var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }
}
