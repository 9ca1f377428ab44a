import Testing
import TableDriver
import TableTestSupport

/// table-sqlite at `-v` never logs a password, an auth key or a stored hash: through
/// credentials and auth lookups, malformed lines, a database that is gone, a broken update and
/// the command-line modes. Logs are read by more people than the config and kept longer than a
/// password lives (docs/design.md, rule 5).
@Suite struct SQLiteSecretsTests {
    static let secrets = ["alice-secret", "bob-secret", "Wrong-Secret-7"] + SecretProbe.fixtureHashes
    static let authKeys = ["alice@example.org:alice-secret", "bob@example.org:bob-secret", "alice@example.org:Wrong-Secret-7"]
    static let body = SQLiteFixture.queries + "\nquery_auth SELECT password FROM credentials WHERE email = ?"

    @Test func noSecretReachesTheVerboseLog() throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        try fixture.writeConfig(Self.body)
        let table = try fixture.startVerbose()
        _ = try table.handshake()
        try SecretProbe.exercise(table, credentialKeys: ["alice@example.org", "bob@example.org"], authKeys: Self.authKeys)

        // A broken update (the auth query cut short), then a database that is gone.
        try fixture.writeConfig(Self.body + "\nquery_auth SELECT password FROM")
        #expect(try table.request("update").hasPrefix("error|"))
        try fixture.writeConfig(Self.body, dbpath: "\(fixture.directory)/missing/none.db")
        #expect(try table.request("update").hasPrefix("error|"))
        try SecretProbe.exercise(table, credentialKeys: ["alice@example.org"], authKeys: Self.authKeys)
        table.closeInput()
        #expect(table.wait() == 0)

        let log = fixture.log()
        #expect(log.contains("debug:"), "the table did not log at debug level: \(log)")
        #expect(SecretProbe.leaks(of: Self.secrets, in: log) == [], "\(log)")

        try fixture.writeConfig(Self.body)
        let commands = try SecretProbe.leaksFromCommandLine(SQLiteFixture.binary, config: fixture.config,
                                                            authKey: Self.authKeys[0], credentialKey: "alice@example.org", secrets: Self.secrets)
        #expect(commands.leaks == [], "\(commands.output)")
    }
}
