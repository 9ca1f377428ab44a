import Testing
import TableDriver
import TableTestSupport

/// table-redis at `-v` never logs a password (the config's AUTH password) or a stored hash:
/// through credentials lookups, malformed lines carrying an auth key, a password the server
/// refuses (an ACL user, then the default user that has none), a server that is down, a broken
/// update and the command-line modes. Logs are read by more people than the config and kept
/// longer than a password lives (docs/design.md, rule 5). Database 14 is this suite's.
@Suite(.enabled(if: RedisServers.available)) struct RedisSecretsTests {
    @Test func noSecretReachesTheVerboseLog() throws {
        let port = RedisServers.port!
        RedisServers.cli(port: port, database: 14, ["FLUSHDB"])
        for (name, hash) in [("alice", SecretProbe.fixtureHashes[0]), ("bob", "{BLF-CRYPT}" + SecretProbe.fixtureHashes[2])] {
            #expect(RedisServers.cli(port: port, database: 14, ["SET", "credentials:\(name)", "\(name):\(hash)"]) == 0)
        }
        // An ACL user whose password the table knows; the refused configs get it wrong.
        #expect(RedisServers.cli(port: port, ["ACL", "SETUSER", "secrets", "on", "resetpass", ">Right-Pass-46", "~*", "+@all"]) == 0)
        defer { RedisServers.cli(port: port, ["ACL", "DELUSER", "secrets"]) }

        func config(port: String = port, username: String? = "secrets", password: String) -> String {
            "master 127.0.0.1\nmaster_port \(port)\ndatabase 14\ntimeout 2\n"
                + (username.map { "username \($0)\n" } ?? "") + "password \(password)\n"
        }
        let good = config(password: "Right-Pass-46")
        let refused = config(password: "Refused-Pass-42")
        let noPasswordSet = config(username: nil, password: "Unset-Pass-47")
        // Nothing listens on the closed port: a server that is down.
        let down = config(port: String(TestEnvironment.closedPorts[0]), password: "Down-Pass-43")

        let fixture = try RedisFixture(good)
        defer { fixture.cleanUp() }
        let scenario = SecretScenario(
            fixture, secrets: ["Right-Pass-46", "Refused-Pass-42", "Unset-Pass-47", "Down-Pass-43", "alice-secret", "bob-secret"] + SecretProbe.fixtureHashes,
            credentialKeys: ["alice", "bob"],
            authKeys: ["alice:alice-secret", "bob:bob-secret"])

        let answers = try scenario.serve(updates: [
            { try fixture.rewrite(good + "query_bogus GET x\n") },
            { try fixture.rewrite(good + "password Again-Pass-48\n") },
            { try fixture.rewrite(refused) },
            { try fixture.rewrite(noPasswordSet) },
            { try fixture.rewrite(down) },
        ])
        #expect(answers.allSatisfy { $0.hasPrefix("error|") }, "\(answers)")
        var output = ""
        for text in [refused, noPasswordSet, down] {
            try fixture.rewrite(text)
            try scenario.serve()
            output += try scenario.expectCommandLineClean()
        }
        #expect(output.contains("WRONGPASS") || output.contains("invalid username-password"), "the refused password was not refused: \(output)")
        let log = scenario.logText()
        #expect(log.contains("debug:") && log.contains("found"), "\(log)")
        #expect(SecretProbe.leaks(of: scenario.secrets + ["Again-Pass-48"], in: log) == [], "\(log)")
    }
}
