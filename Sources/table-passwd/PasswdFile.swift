import TableProtocol

/// One user of a passwd-format file: `name:password:uid:gid:gecos:home[:shell[:extra...]]`.
///
/// Dovecot passwd-files are accepted too: full addresses as names, extra fields after the
/// shell, and lines that stop after the password (`user@example.org:{BLF-CRYPT}$2y$...`),
/// which can answer credentials but not userinfo.
struct PasswdEntry: Sendable, Equatable {
    var name: [UInt8]
    var password: [UInt8]
    var uid: UInt32?
    var gid: UInt32?
    var home: [UInt8]
    var line: Int

    /// `name:hash`, with the stored spelling of the name (relay auth uses it as the login)
    /// and without a `{CRYPT}`-style prefix smtpd cannot verify.
    func credentials() -> Answer {
        guard !password.isEmpty else { return .error("user on line \(line) has no password") }
        // Built in one array of the right size (`+` made three temporary arrays).
        let hash = CryptHash.withoutScheme(password)
        var value: [UInt8] = []
        value.reserveCapacity(name.count + 1 + hash.count)
        value.append(contentsOf: name)
        value.append(UInt8(ascii: ":"))
        value.append(contentsOf: hash)
        return .found(value)
    }

    /// `uid:gid:home`, the ids printed unsigned (upstream printed ids over 2^31 negative).
    func userInfo() -> Answer {
        guard let uid, let gid, !home.isEmpty else {
            return .error("user on line \(line) has no valid uid, gid and home")
        }
        return .found("\(uid):\(gid):" + String(decoding: home, as: UTF8.self))
    }
}

/// A whole passwd file, indexed the way smtpd asks: by the name lowercased, since smtpd
/// lowercases every key (upstream matched byte for byte, so `John` could never be found).
struct PasswdFile: Sendable {
    static let maximumLineLength = 2047

    private(set) var users: [Name: PasswdEntry] = [:]

    func entry(for key: [UInt8]) -> PasswdEntry? { users[Name(key)] }

    /// A user name as a Dictionary key, hashed as one block of bytes: `[UInt8]` itself is
    /// hashed a byte at a time, which cost about 400 instructions a lookup.
    struct Name: Hashable, Sendable {
        var bytes: [UInt8]

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// Parses the file with upstream's rules (`#` starts a comment anywhere, the whole load
    /// fails on one bad line, the last of two equal names wins) and reports every bad line
    /// with its number. A trailing CR is dropped, so CRLF files work.
    ///
    /// It walks the bytes once without splitting them into arrays first: a 10,000-user file
    /// loads in a few milliseconds, which is smtpd's start-up time too.
    static func parse(_ bytes: [UInt8], path: String, logger: Logger) throws(ConfigErrors) -> PasswdFile {
        var file = PasswdFile()
        file.users.reserveCapacity(bytes.count / 64)
        var problems: [ConfigProblem] = []
        bytes.withUnsafeBufferPointer { buffer in
            var lineStart = 0
            var number = 0
            while lineStart < buffer.count {
                number += 1
                var lineEnd = lineStart
                while lineEnd < buffer.count && buffer[lineEnd] != 0x0A { lineEnd += 1 }
                defer { lineStart = lineEnd + 1 }
                if let message = parseLine(buffer, lineStart..<lineEnd, number: number, path: path, logger: logger, into: &file) {
                    problems.append(ConfigProblem(path: path, line: number, message: message))
                }
            }
        }
        guard problems.isEmpty else { throw ConfigErrors(problems) }
        return file
    }

    /// Adds the user of one line to `file`; returns what is wrong with the line, if anything.
    private static func parseLine(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, number: Int,
                                  path: String, logger: Logger, into file: inout PasswdFile) -> String? {
        var end = range.lowerBound
        // `#` starts a comment anywhere on the line, as upstream.
        while end < range.upperBound && buffer[end] != UInt8(ascii: "#") { end += 1 }
        if end > range.lowerBound && buffer[end - 1] == 0x0D { end -= 1 }
        let line = range.lowerBound..<end
        if line.isEmpty { return nil }
        guard line.count <= maximumLineLength else { return "line is longer than \(maximumLineLength) bytes" }

        // Up to the first six fields; the rest (shell, Dovecot extra fields) is ignored.
        var fields: [Range<Int>] = []
        var fieldStart = line.lowerBound
        for index in line where buffer[index] == UInt8(ascii: ":") || buffer[index] == 0 {
            if buffer[index] == 0 { return "line contains a NUL byte" }
            if fields.count < 6 { fields.append(fieldStart..<index) }
            fieldStart = index + 1
        }
        if fields.count < 6 { fields.append(fieldStart..<line.upperBound) }
        guard fields.count >= 2 else { return "expected name:password[:uid:gid:gecos:home[:shell]], found no ':'" }
        guard !fields[0].isEmpty else { return "empty user name" }

        func bytes(_ field: Int) -> ArraySlice<UInt8> {
            field < fields.count ? ArraySlice(UnsafeBufferPointer(rebasing: buffer[fields[field]])) : []
        }
        let entry = PasswdEntry(name: Array(bytes(0)), password: Array(bytes(1)),
                                uid: parseID(bytes(2)), gid: parseID(bytes(3)), home: Array(bytes(5)), line: number)
        if (entry.uid == nil && !bytes(2).isEmpty) || (entry.gid == nil && !bytes(3).isEmpty) {
            logger.warning("\(path):\(number): uid or gid of \(String(decoding: entry.name, as: UTF8.self)) is not a number from 0 to \(UInt32.max); its userinfo lookups will fail")
        }
        if entry.password.first == UInt8(ascii: "{"), let scheme = CryptHash.unverifiableScheme(entry.password) {
            logger.warning("\(path):\(number): the password of \(String(decoding: entry.name, as: UTF8.self)) uses \(scheme), which smtpd cannot verify")
        }
        var key = entry.name
        if key.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) {
            key = key.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        }
        if let earlier = file.users.updateValue(entry, forKey: Name(key)) {
            logger.warning("\(path):\(number): \(String(decoding: entry.name, as: UTF8.self)) repeats line \(earlier.line); the last one is used")
        }
        return nil
    }

    /// A uid or gid as smtpd accepts it: decimal, 0 to 2^32 - 1.
    static func parseID(_ field: ArraySlice<UInt8>) -> UInt32? {
        guard !field.isEmpty, field.count <= 10 else { return nil }
        var value: UInt64 = 0
        for byte in field {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + UInt64(byte - 0x30)
        }
        return value <= UInt64(UInt32.max) ? UInt32(value) : nil
    }
}
