#if canImport(Glibc)
import Glibc
#endif

/// What every backend's secrets test shares: the malformed request lines a confused or hostile
/// peer might send with an `auth` key in them, and the scan of a backend's stderr for the
/// fixtures' passwords and hashes. A password, an auth key's password part or a stored
/// credential hash must never reach a log, even at `-v` (docs/design.md, house rule 5).
package enum SecretProbe {
    /// The bcrypt hashes the fixtures store for alice and bob (passwords `alice-secret` and
    /// `bob-secret`), and their salts, so that a hash cut short is caught too.
    package static let fixtureHashes = [
        "$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS", "L0eQbbY.lTtglPOLs162MO",
        "$2b$08$Xb1UHCS7lvOaIcA/wS84Zuw/EnTHjcWtwjwZMIR0kiGn/nCBZgZtq", "Xb1UHCS7lvOaIcA/wS84Zu",
    ]

    /// Runs a table through what a verbose log could leak from: `lookup credentials` for
    /// each of `credentialKeys`, `check auth` for each of `authKeys` (right and wrong
    /// passwords), then the malformed lines carrying each auth key. The answers are not
    /// checked here (each backend's service tests do that); only that every request is answered.
    package static func exercise(_ table: TableProcess, credentialKeys: [String], authKeys: [String]) throws {
        for key in credentialKeys { _ = try table.request("lookup", "credentials", key: key) }
        for key in authKeys {
            _ = try table.request("check", "auth", key: key)
            try sendMalformedLines(to: table, carrying: key)
        }
    }

    /// The secrets on stderr of the command-line modes on `config`: `-n` (check, connect) and
    /// one-request `check auth` / `lookup credentials`. Returns the leaks and the stderr.
    package static func leaksFromCommandLine(_ executable: String, config: String, authKey: String?, credentialKey: String?,
                                            secrets: [String]) throws -> (leaks: [String], output: String) {
        var runs = [["-n", config]]
        if let authKey { runs.append([config, "check", "auth", authKey]) }
        if let credentialKey { runs.append([config, "lookup", "credentials", credentialKey]) }
        var leaks: [String] = []
        var output = ""
        for arguments in runs {
            let run = try leaksFromCommand(executable, arguments, secrets: secrets)
            leaks += run.leaks
            output += run.output
        }
        return (leaks, output)
    }

    /// Request lines that carry `authKey` (`user:password`, printable, no `|`) in every wrong
    /// place: a bad version, an unknown operation, the key in the op, service, id or
    /// timestamp field, a lookup instead of a check, extra fields, NUL and CR, a line cut by
    /// the reader's 16 KiB limit, no `table` prefix. `answered` says whether the line has an
    /// id the table can answer (it must, exactly once); the others are skipped.
    package static func malformedLines(carrying authKey: String) -> [(line: String, answered: Bool)] {
        let head = "table|0.1|1732540000.123456|t"
        return [
            ("table|0.2|1732540000.123456|t|check|auth|0000000000000a01|\(authKey)", true),
            ("\(head)|chek|auth|0000000000000a02|\(authKey)", true),
            ("\(head)|\(authKey)|auth|0000000000000a03|x", true),
            ("\(head)|check|\(authKey)|0000000000000a04|x", true),
            ("\(head)|check|auth|\(authKey)", true),
            ("\(head)|check|\(authKey)", false),
            ("\(head)|fetch|auth|\(authKey)", true),
            ("\(head)|update|\(authKey)|x", true),
            ("\(head)|lookup|auth|0000000000000a05|\(authKey)", true),
            ("\(head)|check|auth|0000000000000a06|\(authKey)|extra", true),
            ("\(head)|check|auth|0000000000000a07|\(authKey)\u{0}nul", true),
            ("\(head)|check|auth|0000000000000a08|\(authKey)\r", true),
            ("\(head)|check|auth|0000000000000a09|\(authKey)" + String(repeating: "x", count: 17 * 1024), true),
            ("\(head)|check|auth|0000000000000a0a|" + String(repeating: "y", count: 16 * 1024 - 80) + authKey, true),
            (authKey, false),
            ("table|\(authKey)", false),
            ("table|0.1|\(authKey)|t|check|auth|0000000000000a0b|x", true),
        ]
    }

    /// Sends `malformedLines(carrying:)` to a table and reads one reply for each line that
    /// has an id (in any order: a table may answer pipelined requests out of order), so the
    /// next request starts clean. Returns the replies.
    @discardableResult
    package static func sendMalformedLines(to table: TableProcess, carrying authKey: String, timeout: Double = 10) throws -> [String] {
        let lines = malformedLines(carrying: authKey)
        for (line, _) in lines {
            try table.send(Array(line.utf8) + [0x0a])
        }
        var replies: [String] = []
        for _ in lines.filter(\.answered) {
            guard let reply = try table.readLine(timeout: timeout) else {
                throw DriverError("the table closed its output after \(replies.count) replies to the malformed lines")
            }
            replies.append(reply)
        }
        return replies
    }

    /// The secrets that appear in `log`, each as given or in the lowercase smtpd sends it.
    /// Empty when the log is clean.
    package static func leaks(of secrets: [String], in log: String) -> [String] {
        var found: [String] = []
        for secret in secrets where !secret.isEmpty {
            if log.contains(secret) || log.contains(secret.lowercased()) { found.append(secret) }
        }
        return found
    }

    /// The secrets that appear on the stderr of `table-NAME -v ... arguments` (a config check
    /// or a one-request run; stdout is the answer, which may rightly be a credential), with
    /// that stderr for diagnosis.
    package static func leaksFromCommand(_ executable: String, argv0: String = "secrets", _ arguments: [String],
                                        secrets: [String]) throws -> (leaks: [String], output: String) {
        let output = try TestEnvironment.capture(executable, argv0: argv0, ["-v"] + arguments)
        return (leaks(of: secrets, in: output.stderr), output.stderr)
    }
}
