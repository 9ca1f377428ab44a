import Testing
import TableDriver
import TableTestSupport

/// table-ldap at `-v` never logs a password (the service account's, an auth key's) or a stored
/// hash: through credentials lookups, auth by bind (right and wrong passwords), malformed
/// lines, a bind password the directory refuses, a directory that is down, a broken update and
/// the command-line modes. Logs are read by more people than the config and kept longer than a
/// password lives (docs/design.md, rule 5).
@Suite(.enabled(if: SlapdServer.available)) struct LDAPSecretsTests {
    /// The userPassword values of scripts/servers/slapd.ldif (without their {CRYPT} prefix).
    static let hashes = [
        "$6$smtpdsalt$t601WpaRpLw783LLk0A1ldYFgcr/UtBW31j2qyQEXAnzPIwM8sE8x2YIZ1QF9kNLuNpzXvg/5JgvRDWieadO0.",
        "$6$alicesalt$pOmgvDg6pFExmzZh6sKniv4lxjYiiZO12OQyR1eZxd83vI8ymKh1XbZVA8JYZVmAW7lv/4ri.L5PMCDx8cC4V0",
        "$6$bobsalt$M0LWMzNJXavNRj78ZLC9Bo4p9D7EwJQ5xfD62vW3VMBPgo/tMlQO2T8CQAXipx.NomfISDGYMHyxVv2xKQoZg/",
    ]

    @Test func noSecretReachesTheVerboseLog() throws {
        let fixture = try LDAPFixture()
        defer { fixture.cleanUp() }
        let refusedBind = "username cn=smtpd,dc=example,dc=org\npassword Refused-Pass-42\n"
        let downBind = "username cn=smtpd,dc=example,dc=org\npassword Down-Pass-43\n"
        // Nothing listens on the closed port: a directory that is down.
        let down = ["ldap://127.0.0.1:\(TestEnvironment.closedPorts[0])/"]
        let scenario = SecretScenario(
            fixture, secrets: ["smtpdsecret", "Refused-Pass-42", "Down-Pass-43", "alicepass", "bobpass", "Wrong-Secret-7"] + Self.hashes,
            credentialKeys: ["alice", "bob"],
            authKeys: ["alice:alicepass", "bob:bobpass", "alice:Wrong-Secret-7"])

        let refused = { try fixture.writeConfig(LDAPFixture.services, bind: refusedBind) }
        let unreachable = { try fixture.writeConfig(LDAPFixture.services, urls: down, bind: downBind) }
        try scenario.expectNothingLeaks(
            updates: [{ try fixture.writeConfig(LDAPFixture.services + "\nbogus_filter (uid=%s)") }, refused, unreachable],
            configs: [refused, unreachable], refusal: "nvalid credentials")
    }
}
