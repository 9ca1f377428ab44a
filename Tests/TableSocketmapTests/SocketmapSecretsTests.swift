import Testing
import TableDriver
import TableTestSupport

/// table-socketmap at `-v` never logs a password or a stored hash: through credentials lookups
/// (the test server holds alice's bcrypt hash), malformed lines carrying an auth key, a server
/// that is down, a broken update and the command-line modes. Logs are read by more people than
/// the config and kept longer than a password lives (docs/design.md, rule 5). Its config holds
/// no password: what could leak is keys and answers.
@Suite(.enabled(if: SocketmapServers.available)) struct SocketmapSecretsTests {
    @Test func noSecretReachesTheVerboseLog() throws {
        let good = "socket unix:\(SocketmapServers.lineSocket!)\nmap credentials\ntimeout 2\n"
        let netstring = "socket inet:127.0.0.1:\(SocketmapServers.netstringPort!)\nprotocol netstring\nmap credentials\ntimeout 2\n"
        let fixture = try SocketmapFixture(config: good)
        defer { fixture.cleanUp() }
        let scenario = SecretScenario(
            fixture, secrets: ["alice-secret", "bob-secret"] + SecretProbe.fixtureHashes,
            credentialKeys: ["alice", "big", "nobody"],
            authKeys: ["alice:alice-secret", "bob:bob-secret"])

        // Nothing listens on the closed port nor at the missing socket.
        let down = "socket inet:127.0.0.1:\(TestEnvironment.closedPorts[0])\nmap credentials\n"
        let answers = try scenario.serve(updates: [
            { try TestEnvironment.write(good + "password Config-Pass-51\n", to: fixture.config) },
            { try TestEnvironment.write(netstring, to: fixture.config) },
            { try TestEnvironment.write(down, to: fixture.config) },
            { try TestEnvironment.write("socket unix:\(fixture.directory)/none.sock\nmap credentials\n", to: fixture.config) },
        ])
        #expect(answers.count == 4 && answers[0].hasPrefix("error|") && answers[1] == "ok", "\(answers)")
        for text in [down, netstring, good + "password Config-Pass-51\n"] {
            try TestEnvironment.write(text, to: fixture.config)
            if !text.contains("password") { try scenario.serve() }
            try scenario.expectCommandLineClean()
        }
        let log = scenario.logText()
        #expect(log.contains("debug:") && log.contains("found"), "\(log)")
        #expect(SecretProbe.leaks(of: scenario.secrets + ["Config-Pass-51"], in: log) == [], "\(log)")
    }
}
