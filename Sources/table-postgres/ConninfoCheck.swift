import CLibPQ

/// Checks a conninfo string with libpq's own parser (PQconninfoParse) when the config loads,
/// so that a malformed one is a config error with its line instead of a failure at every
/// connect. libpq's parse messages quote the text they stumbled on, which may be part of the
/// password (`password=two words` gives `missing "=" after "words"`): every quoted part is
/// hidden before the message reaches a log.
enum ConninfoCheck {
    /// nil when libpq parses `conninfo` (`key=value` or URI); otherwise why not, secrets hidden.
    static func problem(_ conninfo: String) -> String? {
        var error: UnsafeMutablePointer<CChar>? = nil
        guard let options = PQconninfoParse(conninfo, &error) else {
            let message = error.map { String(cString: $0) } ?? "out of memory"
            if let error { PQfreemem(error) }
            return "libpq cannot parse it: \(hidingQuotedParts(PostgresConnection.oneLine(message)))"
                + " (quoted parts hidden: they may hold the password)"
        }
        PQconninfoFree(options)
        return nil
    }

    /// `missing "=" after "secret" in ...` becomes `missing "=" after "..." in ...`.
    static func hidingQuotedParts(_ message: String) -> String {
        var result = ""
        var quoted: String? = nil
        for character in message {
            if character == "\"" {
                if let part = quoted {
                    result += part == "=" ? "\"=\"" : "\"...\""
                    quoted = nil
                } else {
                    quoted = ""
                }
            } else if quoted != nil {
                quoted!.append(character)
            } else {
                result.append(character)
            }
        }
        // An unbalanced quote: hide what follows it too.
        if quoted != nil { result += "\"..." }
        return result
    }
}
