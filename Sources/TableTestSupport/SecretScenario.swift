#if canImport(Testing)
import Testing
import TableDriver

/// One backend's secrets check: its table run at `-v` as smtpd would, on configs the test
/// writes between runs (good, refused by the server, server down, broken), each run's stderr
/// appended to the fixture's log; then that log and the command-line modes' stderr scanned
/// for `secrets` (SecretProbe). A password, an auth key's password part or a stored hash
/// must never reach a log, even at `-v`.
package struct SecretScenario<Fixture: TableFixture> {
    package let fixture: Fixture
    package let secrets: [String]
    package let credentialKeys: [String]
    package let authKeys: [String]

    package init(_ fixture: Fixture, secrets: [String], credentialKeys: [String], authKeys: [String]) {
        self.fixture = fixture
        self.secrets = secrets
        self.credentialKeys = credentialKeys
        self.authKeys = authKeys
    }

    /// Starts the table at `-v` on the config as written now and exercises it; then, for each
    /// of `updates`, lets it rewrite the config, sends `update` and exercises the table again;
    /// then ends its input. Returns the answers to the updates; throws if the table does not
    /// answer or does not exit 0.
    @discardableResult
    package func serve(updates: [() throws -> Void] = []) throws -> [String] {
        let table = try fixture.startVerbose(tableName: "secrets")
        _ = try table.handshake()
        try SecretProbe.exercise(table, credentialKeys: credentialKeys, authKeys: authKeys)
        var answers: [String] = []
        for rewrite in updates {
            try rewrite()
            answers.append(try table.request("update"))
            try SecretProbe.exercise(table, credentialKeys: credentialKeys, authKeys: authKeys)
        }
        table.closeInput()
        guard let status = table.wait(timeout: 20), status == 0 else {
            throw DriverError("\(Fixture.program) did not exit 0 at the end of its input")
        }
        return answers
    }

    /// The secrets on stderr of `-n` and the one-request modes on the config as written now.
    package func commandLineLeaks() throws -> (leaks: [String], output: String) {
        try SecretProbe.leaksFromCommandLine(Fixture.binary, config: fixture.config, authKey: authKeys.first,
                                             credentialKey: credentialKeys.first, secrets: secrets)
    }

    /// The command-line modes on the config as written now leak nothing; returns their stderr.
    @discardableResult
    package func expectCommandLineClean() throws -> String {
        let commandLine = try commandLineLeaks()
        #expect(commandLine.leaks == [], "\(commandLine.output)")
        return commandLine.output
    }

    /// What `serve` runs logged.
    package func logText() -> String { fixture.log() }

    /// The secrets found in what `serve` runs logged.
    package func logLeaks() -> [String] { SecretProbe.leaks(of: secrets, in: logText()) }

    /// The whole check of a backend with a server that takes a password: `updates` (each
    /// refused), then each of `configs` written, served and run on the command line, then
    /// `commandLineOnly` (configs that cannot be served) on the command line alone. The
    /// server's `refusal` (its words for a refused password) must show in that output and in
    /// the log, so that the refusal was really tested; the log has debug lines and no secret.
    package func expectNothingLeaks(updates: [() throws -> Void], configs: [() throws -> Void],
                                    commandLineOnly: [() throws -> Void] = [], refusal: String) throws {
        let answers = try serve(updates: updates)
        #expect(answers.allSatisfy { $0.hasPrefix("error|") }, "\(answers)")
        var output = ""
        for write in configs {
            try write()
            try serve()
            output += try expectCommandLineClean()
        }
        for write in commandLineOnly {
            try write()
            output += try expectCommandLineClean()
        }
        #expect(output.contains(refusal), "the refused password was not refused: \(output)")
        let log = logText()
        #expect(log.contains("debug:") && log.contains(refusal), "\(log)")
        #expect(logLeaks() == [], "\(log)")
    }
}
#endif
