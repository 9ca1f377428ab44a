/// Tests on eight bytes at once, for the scans every request runs: the split into fields,
/// the token check of the id and the check of a reply's value. A word at a time keeps these
/// loops short in instructions and in code (the code every request runs competes with
/// SQLite's for the instruction cache).
///
/// Each test is exact for every byte: a flag never spills into a neighbouring byte, unlike
/// the shorter borrow-based zero-byte test, which can flag a 0x01 above a zero byte.
enum ByteWord {
    static let low7: UInt64 = 0x7f7f_7f7f_7f7f_7f7f
    static let top: UInt64 = 0x8080_8080_8080_8080

    /// Whether `bytes` hold a byte the tests find: `word` on each whole word of eight
    /// bytes (true when any of its bytes is one), then `byte` on the bytes after the last.
    /// Always inlined, so that the two tests are the caller's own code, not closures.
    @inline(__always)
    static func contains(in bytes: UnsafeBufferPointer<UInt8>, word: (UInt64) -> Bool, byte: (UInt8) -> Bool) -> Bool {
        guard let start = bytes.baseAddress else { return false }
        var offset = 0
        while offset &+ 8 <= bytes.count {
            if word(load(start, at: offset)) { return true }
            offset &+= 8
        }
        while offset < bytes.count {
            if byte(start[offset]) { return true }
            offset &+= 1
        }
        return false
    }

    /// The eight bytes at `base + offset` (which must be in bounds), first byte lowest.
    @inline(__always)
    static func load(_ base: UnsafePointer<UInt8>, at offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
    }

    /// The top bit of each zero byte of `word`, and no other bit. With the top bits masked
    /// off, adding 0x7f to a byte sets its top bit exactly when its low seven bits are not
    /// all zero, and no sum carries into the next byte.
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 {
        ~(((word & low7) &+ low7) | word | low7)
    }

    /// The top bit of each byte of `word` equal to `byte`, and no other bit.
    @inline(__always)
    static func bytes(_ word: UInt64, equalTo byte: UInt8) -> UInt64 {
        zeroBytes(word ^ (0x0101_0101_0101_0101 &* UInt64(byte)))
    }

    /// Whether each byte of `word` is printable ASCII, 0x21 to 0x7e. With the top bits
    /// clear, adding 0x5f to a byte sets its top bit exactly when it is 0x21 or more, and
    /// adding 0x01 exactly when it is 0x7f; no sum carries into the next byte.
    @inline(__always)
    static func isPrintableASCII(_ word: UInt64) -> Bool {
        word & top == 0 && (word &+ 0x5f5f_5f5f_5f5f_5f5f) & top == top && (word &+ 0x0101_0101_0101_0101) & top == 0
    }
}
