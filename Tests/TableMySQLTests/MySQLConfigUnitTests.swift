import Testing
import TableDriver
import TableProtocol
@testable import table_mysql

/// The config keys alone (no server).
@Suite struct MySQLConfigUnitTests {
    func load(_ text: String) throws(ConfigErrors) -> MySQLConfig {
        try TestEnvironment.withFile(text, named: "mysql.conf") { path throws(ConfigErrors) in try MySQLConfig.load(path) }
    }

    @Test func upstreamKeysAloneLoadWithDefaults() throws {
        let config = try load("host db.example.org\nusername smtpd\npassword: secret\ndatabase mail\nquery_domain SELECT d FROM t WHERE d = ?\n")
        #expect(config.servers == [MySQLHost(host: "db.example.org", port: nil)])
        #expect(config.username == "smtpd")
        #expect(config.password == "secret")
        #expect(config.database == "mail")
        #expect(config.port == 0)
        #expect(config.socket == nil)
        #expect(config.charset == "utf8mb4")
        #expect(config.timeoutSeconds == 5)
        #expect(config.maximumConnections == 4)
        #expect(!config.usesTLS)
        #expect(!config.verifyServerCertificate)
    }

    @Test func anEmptyConnectionPartIsValid() throws {
        // Upstream connects with every library default; so do we.
        let config = try load("query_domain SELECT d FROM t WHERE d = ?\n")
        #expect(config.servers.isEmpty && config.username == nil && config.password == nil)
    }

    @Test func tlsKeys() throws {
        let verified = try load("ssl_ca /etc/ca.pem\nquery_domain SELECT d FROM t WHERE d = ?")
        #expect(verified.usesTLS && verified.verifyServerCertificate)
        let unverified = try load("ssl_ca /etc/ca.pem\nssl_verify_server_cert no\nquery_domain SELECT d FROM t WHERE d = ?")
        #expect(unverified.usesTLS && !unverified.verifyServerCertificate)
        let client = try load("ssl_cert /c.pem\nssl_key /k.pem\nport 3307\nsocket /run/db.sock\ncharset latin1\nquery_domain SELECT d FROM t WHERE d = ?")
        #expect(client.usesTLS && client.port == 3307 && client.socket == "/run/db.sock" && client.charset == "latin1")
    }

    @Test func everyProblemIsReported() {
        do {
            _ = try load("ssl_cert /c.pem\nport 70000\ndatabse mail\nquery_domain SELECT d FROM t WHERE d = ?")
            Issue.record("the config should not load")
        } catch {
            let messages = error.problems.map(\.description)
            #expect(messages.contains { $0.hasSuffix(":1: \"ssl_cert\" needs \"ssl_key\" (the certificate's private key)") })
            #expect(messages.contains { $0.hasSuffix(":2: \"port\" must be a whole number from 0 to 65535, not \"70000\"") })
            // upstream's manual misspells database; the C backend ignored it silently.
            #expect(messages.contains { $0.hasSuffix(":3: unknown keyword \"databse\"") })
        }
    }
}
