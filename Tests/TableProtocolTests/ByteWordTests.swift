import Testing
@testable import TableProtocol

/// The eight-bytes-at-once tests against their byte-by-byte definitions.
@Suite struct ByteWordTests {
    /// A word with `value` at byte `place` and `neighbour` in every other byte.
    static func word(_ value: UInt8, at place: Int, among neighbour: UInt8) -> UInt64 {
        var bytes = [UInt8](repeating: neighbour, count: 8)
        bytes[place] = value
        return bytes.withUnsafeBufferPointer { ByteWord.load($0.baseAddress!, at: 0) }
    }

    /// Where `check` disagrees with `expected` on a run of `length` bytes of 'a' holding one
    /// byte of each value at each place, for each length (whole words, and bytes after the
    /// last one): the first five disagreements, described.
    static func misjudged(lengths: [Int], by check: (UnsafeBufferPointer<UInt8>) -> Bool,
                          expected: (UInt8) -> Bool) -> [String] {
        var wrong: [String] = []
        for length in lengths {
            for place in 0..<length {
                for value in UInt8.min...UInt8.max {
                    var bytes = [UInt8](repeating: 0x61, count: length)
                    bytes[place] = value
                    if bytes.withUnsafeBufferPointer(check) != expected(value) && wrong.count < 5 {
                        wrong.append("byte \(value) at \(place) of \(length)")
                    }
                }
            }
        }
        return wrong
    }

    /// Every value at every place, among every neighbour value: a flag sits exactly on each
    /// byte equal to the one looked for (no borrow or carry reaches a neighbour).
    @Test func equalBytesAreFlaggedExactly() {
        var wrong: [String] = []
        for target in [UInt8(0), 0x0A, 0x0D, 0x7C] {
            for place in 0..<8 {
                for value in 0...255 {
                    for neighbour in 0...255 {
                        let flags = ByteWord.bytes(Self.word(UInt8(value), at: place, among: UInt8(neighbour)), equalTo: target)
                        var expected: UInt64 = 0
                        for byte in 0..<8 where (byte == place ? value : neighbour) == Int(target) {
                            expected |= 0x80 << (8 * UInt64(byte))
                        }
                        if flags != expected && wrong.count < 5 { wrong.append("\(target): \(value) at \(place) among \(neighbour)") }
                    }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong)")
    }

    @Test func printableASCIIIsJudgedForEveryByte() {
        var wrong: [String] = []
        for place in 0..<8 {
            for value in 0...255 {
                for neighbour in [0x21, 0x61, 0x7e] {
                    let expected = value > 0x20 && value < 0x7f
                    if ByteWord.isPrintableASCII(Self.word(UInt8(value), at: place, among: UInt8(neighbour))) != expected {
                        wrong.append("\(value) at \(place) among \(neighbour)")
                    }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }

    /// The reply's value check: LF, CR and NUL anywhere (in a whole word or in the bytes
    /// after the last one), and nothing else.
    @Test func valueCheckFindsLineBreaksAndNULEverywhere() {
        let wrong = Self.misjudged(lengths: [1, 7, 8, 9, 16, 23], by: Reply.hasForbiddenByte) {
            $0 == 0x0A || $0 == 0x0D || $0 == 0
        }
        #expect(wrong.isEmpty, "\(wrong)")
        #expect(Reply.refusal(of: .found([0x61, 0x0D]), for: .lookup) == "value contains a line break")
        #expect(Reply.refusal(of: .found([0x61, 0, 0x62]), for: .fetch) == "value contains a NUL byte")
        #expect(Reply.refusal(of: .found([]), for: .lookup) == "empty value")
        #expect(Reply.refusal(of: .found([UInt8](repeating: 0x61, count: 2048)), for: .lookup) == "value too large (2048 bytes)")
        #expect(Reply.refusal(of: .found([0x61, 0x0A]), for: .check) == nil)
        #expect(Reply.refusal(of: .found(Array("vmail".utf8)), for: .lookup) == nil)
    }
}
