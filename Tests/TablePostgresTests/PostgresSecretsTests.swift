import Testing
import TableDriver
import TableTestSupport

/// table-postgres at `-v` never logs a password (the conninfo's, an auth key's) or a stored hash:
/// through credentials and auth lookups, malformed lines, a password the server refuses, a server
/// that is down, a conninfo libpq cannot parse, a broken update and the command-line modes. Logs
/// are read by more people than the config and kept longer than a password lives (docs/design.md,
/// rule 5).
extension PostgresTests {
    @Test func noSecretReachesTheVerboseLog() throws {
        let fixture = try PostgresFixture()
        defer { fixture.cleanUp() }
        let body = PostgresFixture.queries + "\nquery_auth SELECT password FROM credentials WHERE email = $1"
        let good = PostgresServer.conninfo
        let refused = good.replacing("password=\(PostgresServer.password)", with: "password=Refused-Pass-42")
        // Nothing listens on the closed port: a server that is down.
        let closed = TestEnvironment.closedPorts[0]
        let down = good.replacing("password=\(PostgresServer.password)", with: "password=Down-Pass-43")
            .replacing("port=\(PostgresServer.port)", with: "port=\(closed)")
        // A password with a space and no quotes: libpq's parser quotes the word after it.
        let unparsable = good.replacing("password=\(PostgresServer.password)", with: "password=Spaced Pass-44")
        let uri = "postgresql://\(PostgresServer.value("USER")):Uri-Pass-45@127.0.0.1:\(closed)/\(PostgresServer.value("DATABASE"))"
        let scenario = SecretScenario(
            fixture, secrets: [PostgresServer.password, "Refused-Pass-42", "Down-Pass-43", "Pass-44", "Uri-Pass-45",
                      "alice-secret", "bob-secret", "Wrong-Secret-7"] + SecretProbe.fixtureHashes,
            credentialKeys: ["alice@example.org", "bob@example.org"],
            authKeys: ["alice@example.org:alice-secret", "bob@example.org:bob-secret", "alice@example.org:Wrong-Secret-7"])
        #expect(refused != good && down != refused && unparsable != good)

        try fixture.writeConfig(body)
        let write = { (conninfo: String) in { try fixture.writeConfig(body, conninfo: conninfo) } }
        try scenario.expectNothingLeaks(
            updates: [{ try fixture.writeConfig(body + "\nquery_bogus SELECT 1") }] + [refused, down, unparsable, uri].map(write),
            configs: [refused, down, uri].map(write), commandLineOnly: [write(unparsable)],
            refusal: "password authentication failed")
    }
}
