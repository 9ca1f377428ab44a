import Testing
import TableDriver
import TableTestSupport

/// table-mysql at `-v` never logs a password (the server's, an auth key's) or a stored hash:
/// through credentials and auth lookups, malformed lines, a password the server refuses, a
/// server that is down, a broken update and the command-line modes. Logs are read by more
/// people than the config and kept longer than a password lives (docs/design.md, rule 5).
extension MySQLTests {
    @Test func noSecretReachesTheVerboseLog() throws {
        let fixture = try MySQLFixture()
        defer { fixture.cleanUp() }
        let body = MySQLFixture.queries + "\nquery_auth SELECT password FROM credentials WHERE email = ?"
        let refused = MySQLFixture.connectionToTheServer.replacingPassword(with: "Refused-Pass-42")
        // Nothing listens on the closed port: a server that is down.
        let down = MySQLFixture.connectionToTheServer.replacingPassword(with: "Down-Pass-43")
            .replacingPort(MySQLServer.port, with: String(TestEnvironment.closedPorts[0]))
        let scenario = SecretScenario(
            fixture, secrets: [MySQLServer.password, "Refused-Pass-42", "Down-Pass-43", "alice-secret", "bob-secret", "Wrong-Secret-7"] + SecretProbe.fixtureHashes,
            credentialKeys: ["alice@example.org", "bob@example.org"],
            authKeys: ["alice@example.org:alice-secret", "bob@example.org:bob-secret", "alice@example.org:Wrong-Secret-7"])

        try fixture.writeConfig(body)
        let write = { (connection: String) in { try fixture.writeConfig(body, connection: connection) } }
        try scenario.expectNothingLeaks(
            updates: [{ try fixture.writeConfig(body + "\nquery_bogus SELECT 1") }, write(refused), write(down)],
            configs: [write(refused), write(down)], refusal: "denied")
    }
}

extension String {
    /// A config's `password VALUE` line with another value.
    func replacingPassword(with password: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("password ") ? "password \(password)" : String($0) }.joined(separator: "\n")
    }

    /// A config's `port VALUE` line with another value.
    func replacingPort(_ port: String, with other: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0 == "port \(port)" ? "port \(other)" : String($0) }.joined(separator: "\n")
    }
}
