#if canImport(Glibc)
import Glibc
#endif

/// Checks a parsed configuration against a backend's keywords and reads typed values from it,
/// collecting every problem with its line instead of stopping at the first.
///
/// Unknown keywords, keywords given twice and keywords without a value are errors (the C
/// backends warned or ignored them, which hid typos like `query_virtuals` for years).
package struct ConfigReader: Sendable {
    package let file: ConfigFile
    package private(set) var problems: [ConfigProblem] = []
    private var values: [String: [ConfigEntry]] = [:]

    /// - Parameters:
    ///   - keywords: every keyword the backend knows.
    ///   - repeatable: keywords that may appear on several lines (e.g. LDAP `url`).
    package init(_ file: ConfigFile, keywords: [String], repeatable: Set<String> = []) {
        self.file = file
        let known = Set(keywords)
        for entry in file.entries {
            guard known.contains(entry.key) else {
                report(entry.line, "unknown keyword \"\(entry.key)\"")
                continue
            }
            guard entry.value != nil else {
                report(entry.line, "missing value for \"\(entry.key)\"")
                continue
            }
            if let first = values[entry.key]?.first, !repeatable.contains(entry.key) {
                report(entry.line, "duplicate keyword \"\(entry.key)\" (first given on line \(first.line))")
                continue
            }
            values[entry.key, default: []].append(entry)
        }
    }

    package var path: String { file.path }

    /// Records a problem at a line (nil: about the file as a whole).
    package mutating func report(_ line: Int?, _ message: String) {
        problems.append(ConfigProblem(path: file.path, line: line, message: message))
    }

    /// Records a problem on the line of `key`, or about the file when the key is absent.
    package mutating func report(key: String, _ message: String) {
        report(entry(key)?.line, message)
    }

    package func entry(_ key: String) -> ConfigEntry? { values[key]?.first }

    package func entries(_ key: String) -> [ConfigEntry] { values[key] ?? [] }

    package func string(_ key: String) -> String? { values[key]?.first?.value }

    /// A decimal integer within `range` (the C backends used strtonum; a leading `+` is fine).
    package mutating func integer(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) -> Int {
        guard let entry = entry(key), let text = entry.value else { return defaultValue }
        var digits = Substring(text)
        if digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let value = Int(digits), range.contains(value) else {
            report(entry.line, "\"\(key)\" must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
            return defaultValue
        }
        return value
    }

    /// `yes`/`no` (also `true`/`false`, `on`/`off`, `1`/`0`).
    package mutating func boolean(_ key: String, default defaultValue: Bool) -> Bool {
        guard let entry = entry(key), let text = entry.value else { return defaultValue }
        switch text.lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default:
            report(entry.line, "\"\(key)\" must be yes or no, not \"\(text)\"")
            return defaultValue
        }
    }

    /// Throws every problem found so far, in line order; problems of the file as a whole
    /// (often a consequence of a bad line) come last.
    package func finish() throws(ConfigErrors) {
        guard problems.isEmpty else {
            throw ConfigErrors(problems.sorted { ($0.line ?? Int.max) < ($1.line ?? Int.max) })
        }
    }

    /// Warns when a file that holds a password can be read by every user on the machine.
    package static func warnIfWorldReadable(_ path: String, logger: Logger) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        if info.st_mode & S_IROTH != 0 {
            logger.warning("\(path) holds a password and is readable by every user; chmod o-r it")
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
