import Testing
import TableDriver
import TableTestSupport

/// table-passwd at `-v` never logs a password or a stored hash: through credentials and
/// userinfo lookups, malformed lines carrying an auth key, a file that is gone, updates to
/// files with broken lines that hold hashes, and the command-line modes. Logs are read by more
/// people than the config and kept longer than a password lives (docs/design.md, rule 5). It
/// has no server and no auth service: what is left to leak is the file's content.
@Suite struct PasswdSecretsTests {
    static let carolHash = "$6$saltsalt$d574LmfMyQnEYNioegmwjPSZf7ow4NFX5FZoc2y2bcS40Ewc554K6V9ItMeLzi8a1/cxWnKeK1p9.I8yzxa2y0"
    static let file = """
        alice:\(SecretProbe.fixtureHashes[0]):5000:5000:Alice:/var/vmail/alice:/sbin/nologin
        bob:{BLF-CRYPT}\(SecretProbe.fixtureHashes[2]):5001:5001::/var/vmail/bob
        carol@example.org:\(carolHash):5002:5002::/var/vmail/carol::userdb_mail=maildir:~/Maildir
        dave@example.org:{PLAIN}Plain-Pass-49
        erin:{SHA512-CRYPT}\(carolHash):12ab:1::/h
        alice:\(SecretProbe.fixtureHashes[0]):6000:6000:Alice again:/var/vmail/alice2

        """
    /// Lines that do not parse, each holding a hash or a plain password.
    static let broken = """
        frank\(SecretProbe.fixtureHashes[0])
        grace Plain-Pass-50
        \(SecretProbe.fixtureHashes[2])
        :\(carolHash):1:1::/h

        """

    @Test func noSecretReachesTheVerboseLog() throws {
        let fixture = try PasswdTests.Fixture(Self.file)
        defer { fixture.cleanUp() }
        let scenario = SecretScenario(
            fixture, secrets: ["Plain-Pass-49", "Plain-Pass-50", "alice-secret", "bob-secret", Self.carolHash, "d574LmfMyQnEYNioegmw"] + SecretProbe.fixtureHashes,
            credentialKeys: ["alice", "bob", "carol@example.org", "dave@example.org", "erin"],
            authKeys: ["alice:alice-secret", "bob:bob-secret"])

        let answers = try scenario.serve(updates: [
            { try TestEnvironment.write(Self.file + Self.broken, to: fixture.config) },
            { TestEnvironment.run(["rm", "-f", fixture.config]) },
        ])
        #expect(answers.allSatisfy { $0.hasPrefix("error|") }, "\(answers)")
        try TestEnvironment.write(Self.file + Self.broken, to: fixture.config)
        try scenario.expectCommandLineClean()
        TestEnvironment.run(["rm", "-f", fixture.config])
        try scenario.expectCommandLineClean()
        try TestEnvironment.write(Self.file, to: fixture.config)
        try scenario.expectCommandLineClean()

        let log = scenario.logText()
        #expect(log.contains("debug:") && log.contains("{PLAIN}"), "\(log)")
        #expect(scenario.logLeaks() == [], "\(log)")
    }
}
