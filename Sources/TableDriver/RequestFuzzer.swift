/// A repeatable generator of hostile protocol lines: well-formed requests, near-valid ones
/// with bytes flipped, inserted, dropped or cut, random binary, and oversized lines. Used by
/// the fuzz tests (fixed seed, bounded count; `TABLES_FUZZ_ITERATIONS` for long runs by hand).
package struct RequestFuzzer {
    private var state: UInt64

    package init(seed: UInt64) { state = seed == 0 ? 0x9E3779B97F4A7C15 : seed }

    /// xorshift64*: fast, repeatable, good enough to pick mutations.
    package mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2685821657736338717
    }

    package mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }

    static let operations = ["check", "lookup", "fetch", "update", "frob", ""]
    static let services = ["alias", "domain", "credentials", "netaddr", "userinfo", "source", "mailaddr", "addrname",
                           "mailaddrmap", "relayhost", "string", "regex", "auth", "none", "bogus", ""]
    static let keys = ["alice", "bob", "user@example.org", "a|b", "%s", "'; DROP TABLE x; --", "a*b)(uid=*", "\u{00e9}", ""]
    static let interesting: [UInt8] = [0x00, 0x0d, 0x7c, 0x20, 0x25, 0xff, 0x80, 0x0a, 0x3a, 0x2a, 0x5c]

    /// A well-formed request line (without LF), with an 8-hex-digit id.
    package mutating func validLine(id: String) -> [UInt8] {
        let operation = Self.operations[below(4)]
        let service = Self.services[below(Self.services.count - 3)]
        var text = "table|0.1|1732540000.\(100000 + below(899999))|t|\(operation)|"
        switch operation {
        case "update": text += id
        case "fetch": text += "\(service)|\(id)"
        default: text += "\(service)|\(id)|\(Self.keys[below(Self.keys.count)])"
        }
        return Array(text.utf8)
    }

    /// One hostile line (without LF; a mutation may insert LFs, splitting it into several).
    package mutating func line(id: String) -> [UInt8] {
        var bytes = validLine(id: id)
        switch below(10) {
        case 0:
            // Random binary.
            return (0..<below(200)).map { _ in UInt8(truncatingIfNeeded: next()) }
        case 1 where below(50) == 0:
            // Oversized (one line in 500): up to 1 MiB of key.
            bytes += [UInt8](repeating: UInt8(ascii: "k"), count: below(1 << 20))
            return bytes
        case 1:
            // Long, around the reader's 16 KiB cut.
            bytes += [UInt8](repeating: UInt8(ascii: "k"), count: 16 * 1024 - 64 + below(128))
            return bytes
        case 2:
            // Cut anywhere.
            return Array(bytes.prefix(below(bytes.count + 1)))
        case 3:
            // Fields made of pipes and nothing.
            return Array(String(repeating: "|", count: below(12)).utf8) + bytes.suffix(below(10))
        default:
            // A few byte-level mutations of a valid line.
            for _ in 0..<(1 + below(4)) {
                let position = below(bytes.count + 1)
                switch below(4) {
                case 0 where position < bytes.count: bytes[position] = Self.interesting[below(Self.interesting.count)]
                case 1: bytes.insert(Self.interesting[below(Self.interesting.count)], at: position)
                case 2 where position < bytes.count: bytes.remove(at: position)
                default: bytes.insert(UInt8(truncatingIfNeeded: next()), at: position)
                }
            }
            return bytes
        }
    }
}
