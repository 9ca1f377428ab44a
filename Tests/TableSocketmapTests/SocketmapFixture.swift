#if canImport(Glibc)
import Glibc
#endif
import Testing
import TableDriver
import TableTestSupport

/// The socketmap test servers `scripts/servers/socketmap.sh` started.
enum SocketmapServers {
    static let lineSocket = TestEnvironment.variable("SOCKETMAP_LINE_SOCKET")
    static let netstringSocket = TestEnvironment.variable("SOCKETMAP_NETSTRING_SOCKET")
    static let linePort = TestEnvironment.variable("SOCKETMAP_LINE_PORT")
    static let netstringPort = TestEnvironment.variable("SOCKETMAP_NETSTRING_PORT")
    static let faultSocket = TestEnvironment.variable("SOCKETMAP_FAULT_SOCKET")
    static let faultPort = TestEnvironment.variable("SOCKETMAP_FAULT_PORT")
    static let script = TestEnvironment.variable("SOCKETMAP_SCRIPT")

    static var available: Bool { lineSocket != nil && netstringSocket != nil && linePort != nil && netstringPort != nil }
    static var faultAvailable: Bool { faultSocket != nil && faultPort != nil && script != nil }

    /// The fault server, through socketmap.sh: restart, halt, resume, freeze, thaw.
    static func faultControl() throws -> ServerControl {
        ServerControl(script: try #require(script))
    }
}

/// A table-socketmap process on a socket path or on a config file of the test's own.
struct SocketmapFixture: TableFixture {
    static let program = "table-socketmap"
    static let tableName = "aliases"
    let directory = TestEnvironment.makeTemporaryDirectory("table-socketmap")
    var config: String { "\(directory)/socketmap.conf" }

    init(config text: String? = nil) throws {
        if let text { try TestEnvironment.write(text, to: config) }
    }

    /// The table started on a socket path instead of a config (upstream's form).
    func start(_ socket: String, tableName: String = Self.tableName) throws -> TableProcess {
        try start(tableName: tableName, arguments: [socket])
    }
}

/// Fails the run when the servers are required (scripts/test.sh, CI) but were not started.
@Suite struct SocketmapServersPresent {
    @Test(.enabled(if: TestEnvironment.serversRequired)) func socketmapTestServersAreRunning() {
        #expect(SocketmapServers.available, "SOCKETMAP_* missing: run scripts/servers/socketmap.sh start and source socketmap.env")
        #expect(SocketmapServers.faultAvailable, "SOCKETMAP_FAULT_* missing")
    }
}
