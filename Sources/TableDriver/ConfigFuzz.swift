#if canImport(Glibc)
import Glibc
#endif

/// Random and mutated config files, made from a backend's example config: line-level
/// mutations (drop, repeat, swap, cut or join lines; a keyword with a hostile value; a
/// value replaced) and byte-level ones (NUL, CR, `:`, `#`, 0xFF...), now and then a file of
/// random bytes or a line of tens of kilobytes. Repeatable: `RequestFuzzer` picks everything.
package struct ConfigMutator {
    private var random: RequestFuzzer
    private let seedLines: [String]
    private let keywords: [String]

    /// Values that have broken config parsers: empty, signs, overflows, placeholders of
    /// every backend, unbalanced brackets and quotes, URLs cut short, non-ASCII, control bytes.
    static let values = [
        "", "0", "-1", "+5", "1.5", "99999999999999999999", "2147483648", "4294967296", "0x10", "yes", "no", "true",
        "%s", "%u", "%d", "%%", "%", "%s %s", "%x", "$1", "$2", "$1 $1", "?", "? ?", "?1", ":name", "@x",
        "(", ")", "((uid=%s)", "(&(uid=%s)(cn=%u))", "\"", "'", "\\", "\\\\", ",", ", ,", "a, b,",
        "inet:", "inet:127.0.0.1", "inet:[::1]:", "inet:host:99999", "unix:", "unix:/", "/", "ldap://", "ldaps://[::1",
        "ldap://h:0/", "postgresql://u:p@", "host=", "password='x", "SELECT", "SELECT ? FROM t WHERE k = ?",
        "SELECT a, b, c, d FROM t WHERE k = ?", "GET", "HMGET user:%s", "HMGET %s a b c d", "LRANGE %s 0 -1",
        "\u{00e9}\u{00e8}", "\u{202e}", "\t", " \t ", "a\u{0}b", "line\rcr",
    ]

    package init(seedText: String, keywords: [String] = [], seed: UInt64) {
        random = RequestFuzzer(seed: seed)
        seedLines = seedText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var words = keywords
        for line in seedLines {
            if let word = line.split(separator: " ").first, !word.hasPrefix("#") { words.append(String(word)) }
        }
        self.keywords = words.isEmpty ? ["key"] : words
    }

    /// The next config file's bytes.
    package mutating func next() -> [UInt8] {
        switch random.below(40) {
        case 0:
            return (0..<random.below(400)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        case 1:
            return []
        default:
            break
        }
        var lines = seedLines
        for _ in 0..<(1 + random.below(4)) { mutateLines(&lines) }
        var bytes = Array(lines.joined(separator: "\n").utf8)
        if random.below(3) == 0 {
            for _ in 0..<(1 + random.below(6)) {
                let position = random.below(bytes.count + 1)
                let byte = RequestFuzzer.interesting[random.below(RequestFuzzer.interesting.count)]
                switch random.below(3) {
                case 0 where position < bytes.count: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                default: if position < bytes.count { bytes.remove(at: position) }
                }
            }
        }
        return bytes
    }

    private mutating func value() -> String {
        switch random.below(20) {
        case 0: return String(repeating: "v", count: random.below(70_000))
        case 1: return String(repeating: "%s ", count: random.below(300))
        default: return Self.values[random.below(Self.values.count)]
        }
    }

    private mutating func mutateLines(_ lines: inout [String]) {
        let index = random.below(lines.count)
        guard !lines.isEmpty else {
            lines.append("\(keywords[random.below(keywords.count)]) \(value())")
            return
        }
        switch random.below(9) {
        case 0: lines.remove(at: index)
        case 1: lines.insert(lines[index], at: random.below(lines.count + 1))
        case 2: lines.swapAt(index, random.below(lines.count))
        case 3: lines[index] = String(lines[index].prefix(random.below(lines[index].count + 1)))
        case 4 where index + 1 < lines.count: lines[index] += lines.remove(at: index + 1)
        case 5:
            let keyword = keywords[random.below(keywords.count)]
            let separator = [" ", ": ", ":", "\t", "  ", " : "][random.below(6)]
            lines.insert("\(keyword)\(separator)\(value())", at: random.below(lines.count + 1))
        case 6:
            let keyword = lines[index].split(separator: " ").first.map(String.init) ?? ""
            lines[index] = "\(keyword) \(value())"
        case 7:
            lines[index] = lines[index] + " " + value()
        default:
            let keyword = lines[index].split(separator: " ").first.map(String.init) ?? ""
            lines[index] = "\(keyword)\(["", "x", "_", ":", "#"][random.below(5)]) \(lines[index].dropFirst(keyword.count))"
        }
    }
}

/// What a config fuzz run found: how many configs loaded, how many were refused, and the
/// refusals whose problems named no line of the file (at most a few, for the report).
package struct ConfigFuzzResult: Sendable {
    package var loaded = 0
    package var rejected = 0
    /// Refusals with a problem that named no line of the file, or with no problem at all.
    package var failureCount = 0
    /// The first few of them, with the config that caused them.
    package var failures: [String] = []

    /// Why the run fails, or nil: a refusal that named no line, or mutations that never
    /// loaded or never got refused (then one of the two paths went untested).
    package var failure: String? {
        if failureCount > 0 { return "\(failureCount) refusals named no line: \(failures)" }
        if loaded == 0 || rejected == 0 { return "loaded \(loaded), refused \(rejected)" }
        return nil
    }
}

package enum ConfigFuzz {
    /// Configs per backend per test run: 5,000 (about 2 s of CPU each in a debug build, so
    /// the seven add about 15 s to the suite), or `TABLES_CONFIG_FUZZ_ITERATIONS` (20,000 and
    /// more by hand; `TABLES_CONFIG_FUZZ_REPORT=1` prints the counts).
    package static var iterations: Int {
        TestEnvironment.variable("TABLES_CONFIG_FUZZ_ITERATIONS").flatMap { Int($0) } ?? 5_000
    }

    /// A file of this repository (for the example configs), found from this source file.
    package static func repositoryFile(_ relative: String, sourcePath: String = #filePath) -> String {
        let parts = sourcePath.split(separator: "/", omittingEmptySubsequences: false)
        return (parts.dropLast(3) + [Substring(relative)]).joined(separator: "/")
    }

    /// Feeds `iterations` mutated configs to `load`, each written to `path`. `load` returns
    /// nil when the config loaded, else its problems as (line, text); every problem must name
    /// a line of the file (1...number of lines) or the file as a whole (nil), and its text
    /// must start with the path. A crash or hang in `load` fails the test run itself.
    package static func run(_ mutator: inout ConfigMutator, iterations: Int = ConfigFuzz.iterations, path: String,
                           load: (String) -> [(line: Int?, text: String)]?) throws -> ConfigFuzzResult {
        var result = ConfigFuzzResult()
        for _ in 0..<iterations {
            let bytes = mutator.next()
            try TestEnvironment.write(bytes, to: path, mode: 0o600)
            let lineCount = bytes.split(separator: 0x0a, omittingEmptySubsequences: false).count
            guard let problems = load(path) else {
                result.loaded += 1
                continue
            }
            result.rejected += 1
            let bad = problems.filter { problem in
                !problem.text.hasPrefix(path) || problem.line.map { !(1...lineCount).contains($0) } ?? false
            }
            guard problems.isEmpty || !bad.isEmpty else { continue }
            result.failureCount += 1
            if result.failures.count < 5 {
                let shown = String(decoding: bytes.prefix(2000), as: UTF8.self)
                result.failures.append("\(problems.isEmpty ? "refused with no problem" : "\(bad.map(\.text))") for:\n\(shown)")
            }
        }
        if TestEnvironment.variable("TABLES_CONFIG_FUZZ_REPORT") != nil {
            let line = "config fuzz \(path): \(iterations) configs, \(result.loaded) loaded, \(result.rejected) refused, \(result.failureCount) without a line\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
        }
        return result
    }
}
