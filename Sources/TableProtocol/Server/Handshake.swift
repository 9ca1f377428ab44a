/// The start of the protocol: smtpd sends `config|<key>|<value>` lines up to `config|ready`,
/// and the table answers with `register|<service>` for each service it serves and
/// `register|ready`. Nothing here waits on a database: smtpd blocks until the table
/// registers, so a table must register even while its server is down.
enum Handshake {
    /// Reads `config|...` lines until `config|ready`, taking the table's name into the
    /// logger; false at end of input.
    static func read(_ reader: inout LineReader, logger: inout Logger) throws(SystemError) -> Bool {
        while let line = try reader.next() {
            let text = String(decoding: line.bytes, as: UTF8.self)
            if text == "config|ready" { return true }
            guard text.hasPrefix("config|") else {
                logger.warning("ignoring unexpected line before config|ready")
                continue
            }
            let parts = text.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            switch parts[1] {
            case "tablename":
                logger.table = String(parts[2])
            case "protocol" where parts[2] != Substring(RequestParser.protocolVersion):
                logger.warning("smtpd speaks table protocol \(parts[2]); this backend speaks \(RequestParser.protocolVersion)")
            case "smtpd-version":
                logger.debug("smtpd version \(parts[2])")
            default:
                break
            }
        }
        return false
    }

    /// The `register|...` lines for `services`, ending with `register|ready`.
    static func registration(_ services: [Service]) -> [UInt8] {
        var lines = ""
        for service in services { lines += "register|\(service)\n" }
        lines += "register|ready\n"
        return Array(lines.utf8)
    }
}
