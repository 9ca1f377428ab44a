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
        return .found(name + [UInt8(ascii: ":")] + CryptHash.withoutScheme(password))
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

    private(set) var users: [[UInt8]: PasswdEntry] = [:]

    func entry(for key: [UInt8]) -> PasswdEntry? { users[key] }

    /// Parses the file with upstream's rules (`#` starts a comment anywhere, the whole load
    /// fails on one bad line, the last of two equal names wins) and reports every bad line
    /// with its number. A trailing CR is dropped, so CRLF files work.
    static func parse(_ bytes: [UInt8], path: String, logger: Logger) throws(ConfigErrors) -> PasswdFile {
        var file = PasswdFile()
        var problems: [ConfigProblem] = []
        func problem(_ line: Int, _ message: String) {
            problems.append(ConfigProblem(path: path, line: line, message: message))
        }
        let colon = UInt8(ascii: ":")
        for (index, raw) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            var line = raw
            if let hash = line.firstIndex(of: UInt8(ascii: "#")) { line = line[..<hash] }
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty { continue }
            guard line.count <= maximumLineLength else {
                problem(number, "line is longer than \(maximumLineLength) bytes")
                continue
            }
            let fields = line.split(separator: colon, omittingEmptySubsequences: false)
            guard fields.count >= 2 else {
                problem(number, "expected name:password[:uid:gid:gecos:home[:shell]], found no ':'")
                continue
            }
            guard !fields[0].isEmpty else {
                problem(number, "empty user name")
                continue
            }
            if line.contains(0) {
                problem(number, "line contains a NUL byte")
                continue
            }
            let name = Array(fields[0])
            let entry = PasswdEntry(
                name: name,
                password: Array(fields[1]),
                uid: fields.count > 2 ? parseID(fields[2]) : nil,
                gid: fields.count > 3 ? parseID(fields[3]) : nil,
                home: fields.count > 5 ? Array(fields[5]) : [],
                line: number)
            let shownName = String(decoding: name, as: UTF8.self)
            if fields.count > 2, (entry.uid == nil && !fields[2].isEmpty) || (fields.count > 3 && entry.gid == nil && !fields[3].isEmpty) {
                logger.warning("\(path):\(number): uid or gid of \(shownName) is not a number from 0 to \(UInt32.max); its userinfo lookups will fail")
            }
            if let scheme = CryptHash.unverifiableScheme(entry.password) {
                logger.warning("\(path):\(number): the password of \(shownName) uses \(scheme), which smtpd cannot verify")
            }
            let key = name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
            if let earlier = file.users[key] {
                logger.warning("\(path):\(number): \(shownName) repeats line \(earlier.line); the last one is used")
            }
            file.users[key] = entry
        }
        guard problems.isEmpty else { throw ConfigErrors(problems) }
        return file
    }

    /// A uid or gid as smtpd accepts it: decimal, 0 to 2^32 - 1.
    static func parseID(_ field: ArraySlice<UInt8>) -> UInt32? {
        guard UserInfo.isID(field) else { return nil }
        return UInt32(String(decoding: field, as: UTF8.self))
    }
}
