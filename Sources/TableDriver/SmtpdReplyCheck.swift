/// What smtpd's `table_proc_recv` accepts as a reply (spec §2.3), so tests can assert that a
/// table never sends anything that would make smtpd exit.
package enum SmtpdReplyCheck {
    /// `<op>-result|<id>|` then `found` (check), `found|<value>` with a non-empty value
    /// without CR (lookup, fetch), `ok` (update), `not-found`, or `error...`; one LF, at the end.
    package static func isParsable(_ reply: [UInt8], operation: String, id: String) -> Bool {
        guard reply.last == 0x0A, reply.filter({ $0 == 0x0A }).count == 1, !reply.contains(0x0D) else { return false }
        let prefix = Array("\(operation)-result|\(id)|".utf8)
        guard reply.starts(with: prefix) else { return false }
        let rest = String(decoding: reply[prefix.count..<(reply.count - 1)], as: UTF8.self)
        if rest == "not-found" || rest.hasPrefix("error") { return true }
        switch operation {
        case "update": return rest == "ok"
        case "check": return rest == "found"
        default: return rest.hasPrefix("found|") && rest.count > "found|".count
        }
    }
}
