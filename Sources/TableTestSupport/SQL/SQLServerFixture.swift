#if canImport(Testing)
// Built with the checks that use it: SQLTableFixture comes with Testing (SQLServiceChecks.swift).
import TableDriver

/// A SQL backend whose database is a test server (table-postgres on PostgreSQL, table-mysql
/// on MariaDB) that the fault tests stop, freeze and tamper with: what SQLConfigChecks and
/// SQLFaultChecks need beyond SQLTableFixture.
package protocol SQLServerFixture: SQLTableFixture {
    /// The server's script (scripts/servers/NAME.sh): halt, resume, freeze, thaw.
    static var server: ServerControl { get }
    /// The server's TCP port on 127.0.0.1.
    static var serverPort: Int { get }
    /// The database as the backend names it in its errors: `cannot connect to NAME`.
    static var product: String { get }
    /// The config's connection lines for a server at `host`:`port` (the test server's own
    /// user, password and database).
    static var connection: @Sendable (_ host: String, _ port: Int) -> String { get }
    /// The timeout the fixture's configs set (seconds): fault tests bound answers by it + 1.
    static var timeout: Double { get }
    /// Writes the config: `connection`, the timeout, then `body` (mode 0600: a password).
    func writeConfig(_ body: String, connection: String) throws

    /// Config lines of this backend's own keywords with a problem, and the message for
    /// each (none by default).
    static var ownKeywordProblems: [(line: String, message: String)] { get }
    /// A query_domain with a second parameter, and what `-n` says of it.
    static var secondParameter: (line: String, message: String) { get }
    /// The server's message for a query on a table that does not exist.
    static var missingTableMessage: String { get }
    /// Connection lines that reach nothing.
    static var unreachableConnection: String { get }
    /// A query_domain that finds `other.example` and nothing else.
    static var otherDomainOnlyQuery: String { get }

    /// Ends every session of the test user from the server's side.
    static func endSessions() throws
    /// Changes the type of `names.name` under the table's prepared statements.
    static func widenTheNameColumn() throws
    /// Makes the server close the test user's idle sessions after at most a second or two;
    /// returns how long to wait for that, and what sets the server back.
    static func closeIdleSessionsSoon() throws -> (wait: Double, restore: () -> Void)
}

extension SQLServerFixture {
    package static var ownKeywordProblems: [(line: String, message: String)] { [] }

    /// The connection lines reaching the test server.
    package static var connectionToTheServer: String { connection("127.0.0.1", serverPort) }

    package func writeConfig(_ body: String) throws {
        try writeConfig(body, connection: Self.connectionToTheServer)
    }

    /// The fault harness's view of the backend: two probes of the test data, and the
    /// fixture's queries behind a connection to wherever the harness points it.
    package static var faultTarget: FaultTarget {
        let connection = connection, queries = queries
        return FaultTarget(
            binary: binary, serverPort: serverPort,
            probes: [FaultProbe(service: "alias", key: "alice@example.org", reply: "found|vmail"),
                     FaultProbe(service: "userinfo", key: "vmail", reply: "found|5000:5000:/var/vmail")],
            config: { host, port, timeout in connection(host, port) + "\ntimeout \(timeout)\n" + queries + "\n" })
    }
}
#endif
