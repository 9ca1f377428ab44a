/// One problem in a configuration file, named by file and line like a compiler diagnostic:
/// `/etc/mail/sqlite.conf:7: unknown keyword "query_virtuals"`.
package struct ConfigProblem: Error, Sendable, Equatable, CustomStringConvertible {
    package var path: String
    package var line: Int?
    package var message: String

    package init(path: String, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    package var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}

/// Everything wrong with a configuration, in line order. Loading reports all problems at
/// once, so that `table-NAME -n` shows the administrator the whole list.
package struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    package var problems: [ConfigProblem]

    package init(_ problems: [ConfigProblem]) { self.problems = problems }

    package init(path: String, line: Int? = nil, _ message: String) {
        self.problems = [ConfigProblem(path: path, line: line, message: message)]
    }

    package var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// One `key value` line of a configuration file.
package struct ConfigEntry: Sendable, Equatable {
    package var key: String
    /// nil when the line names a key but gives it no value.
    package var value: String?
    package var line: Int
}

/// The `key value` grammar shared by the C backends (sqlite, postgres, mysql, ldap, redis).
///
/// Per line: strip surrounding whitespace (so CRLF files work); skip empty lines and lines
/// whose first character is `#`; the key runs to the first space, TAB or `:`; the value
/// starts after any run of whitespace and of `:` followed by whitespace (or the end), and is
/// the rest of the line, verbatim (quotes, `#` and inner spaces kept, no escapes).
package struct ConfigFile: Sendable {
    package var path: String
    package var entries: [ConfigEntry]

    package init(path: String, entries: [ConfigEntry]) {
        self.path = path
        self.entries = entries
    }

    /// Reads and parses the file. A file that cannot be read is one problem naming the path.
    package static func load(_ path: String) throws(ConfigErrors) -> ConfigFile {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readFile(path)
        } catch {
            throw ConfigErrors(path: path, "cannot read configuration: \(error.reason)")
        }
        return try parse(bytes, path: path)
    }

    package static func parse(_ bytes: [UInt8], path: String) throws(ConfigErrors) -> ConfigFile {
        var entries: [ConfigEntry] = []
        var problems: [ConfigProblem] = []
        for (index, rawLine) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = trimmed(rawLine)
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            guard let text = String(validating: line, as: UTF8.self) else {
                problems.append(ConfigProblem(path: path, line: number, message: "line is not valid UTF-8"))
                continue
            }
            if line.contains(0) {
                problems.append(ConfigProblem(path: path, line: number, message: "line contains a NUL byte"))
                continue
            }
            let (key, value) = split(text)
            entries.append(ConfigEntry(key: key, value: value, line: number))
        }
        guard problems.isEmpty else { throw ConfigErrors(problems) }
        return ConfigFile(path: path, entries: entries)
    }

    /// C `isspace` in the C locale.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var line = line
        while let first = line.first, isSpace(first) { line.removeFirst() }
        while let last = line.last, isSpace(last) { line.removeLast() }
        return line
    }

    static func split(_ line: String) -> (key: String, value: String?) {
        let bytes = Array(line.utf8)
        guard let delimiter = bytes.firstIndex(where: { $0 == 0x20 || $0 == 0x09 || $0 == UInt8(ascii: ":") }) else {
            return (line, nil)
        }
        let key = String(decoding: bytes[..<delimiter], as: UTF8.self)
        var position = delimiter + 1
        while position < bytes.count {
            let byte = bytes[position]
            if isSpace(byte) {
                position += 1
            } else if byte == UInt8(ascii: ":"), position + 1 == bytes.count || isSpace(bytes[position + 1]) {
                position += 1
            } else {
                break
            }
        }
        guard position < bytes.count else { return (key, nil) }
        return (key, String(decoding: bytes[position...], as: UTF8.self))
    }
}
