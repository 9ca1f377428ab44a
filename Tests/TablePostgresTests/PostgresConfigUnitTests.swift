import Testing
import TableDriver
import TableProtocol
@testable import table_postgres

/// The config keys alone (no server).
@Suite struct PostgresConfigUnitTests {
    func load(_ text: String) throws(ConfigErrors) -> PostgresConfig {
        try TestEnvironment.withFile(text, named: "postgres.conf") { path throws(ConfigErrors) in try PostgresConfig.load(path) }
    }

    @Test func upstreamKeysAndOurDefaults() throws {
        let config = try load("conninfo: host=db dbname=mail\nquery_alias SELECT a FROM t WHERE k = $1\n")
        #expect(config.conninfo == "host=db dbname=mail")
        #expect(config.timeoutSeconds == 5)
        #expect(config.maximumConnections == 4)
        #expect(config.queries.services == [.alias])
        #expect(!config.holdsPassword)
        #expect(!config.setsStatementTimeout)
    }

    /// A conninfo libpq cannot parse is a load error with its line, and libpq's message
    /// (which quotes the word it stumbled on: here part of the password) is shown without it.
    @Test func unparsableConninfoIsALineErrorWithoutThePassword() {
        for conninfo in ["host=db password=two Words", "postgresql://u:p@db/mail?Pass%20Word=1", "host='db"] {
            do {
                _ = try load("# c\nconninfo \(conninfo)\nquery_alias SELECT a FROM t WHERE k = $1\n")
                Issue.record("\(conninfo) loaded")
            } catch {
                #expect(error.problems.count == 1 && error.problems[0].line == 2, "\(error.problems)")
                let text = error.problems.map(\.description).joined()
                #expect(text.contains("libpq cannot parse it") && !text.contains("Word"), "\(text)")
            }
        }
        #expect(ConninfoCheck.hidingQuotedParts(#"missing "=" after "x" in "y"#) == #"missing "=" after "..." in "..."#)
    }

    @Test func passwordsInConninfoAreNoticed() throws {
        let withPassword = [
            "host=db password=secret",
            "postgresql://smtpd:secret@db/mail",
            "postgres://smtpd:secret@db:5432,db2:5432/mail?sslmode=require",
        ]
        for conninfo in withPassword {
            #expect(try load("conninfo \(conninfo)\nquery_domain SELECT 1 WHERE $1 = 'x'").holdsPassword, "\(conninfo)")
        }
        let without = ["host=db user=smtpd", "postgresql://smtpd@db/mail", "postgresql:///mail?host=/run/postgresql", "service=mail"]
        for conninfo in without {
            #expect(try !load("conninfo \(conninfo)\nquery_domain SELECT 1 WHERE $1 = 'x'").holdsPassword, "\(conninfo)")
        }
    }

    @Test func statementTimeoutInConninfoIsLeftAlone() throws {
        let config = try load("conninfo host=db options='-c statement_timeout=1000'\ntimeout 10\nmax_connections 8\nfetch_source SELECT a FROM r")
        #expect(config.setsStatementTimeout)
        #expect(config.timeoutSeconds == 10)
        #expect(config.maximumConnections == 8)
        #expect(config.queries.services == [.source])
    }

    @Test func everyProblemIsReported() {
        do {
            _ = try load("timeout 0\nmax_connections 65\nconnifo host=db\n")
            Issue.record("the config should not load")
        } catch {
            let messages = error.problems.map(\.message)
            #expect(messages.contains("\"timeout\" must be a whole number from 1 to 300, not \"0\""))
            #expect(messages.contains("\"max_connections\" must be a whole number from 1 to 64, not \"65\""))
            #expect(messages.contains("unknown keyword \"connifo\""))
            #expect(messages.contains { $0.hasPrefix("missing \"conninfo\"") })
            #expect(messages.contains { $0.hasPrefix("no query configured") })
        }
    }
}
