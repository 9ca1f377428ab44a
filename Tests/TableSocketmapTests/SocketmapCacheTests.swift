import Testing
import TableDriver
import TableTestSupport

/// table-socketmap in its config-file form on the fault server for the answer cache
/// checks: values in the server's live map file (SOCKETMAP_FAULT_MAP_FILE), which it reads
/// again whenever the file changes.
extension SocketmapFixture: CacheFixture {
    static func make() throws -> SocketmapFixture {
        try TestEnvironment.write("", to: mapFile)
        return try SocketmapFixture()
    }

    static var outages: [Outage] { [.stopped, .frozen, .killed] }
    static var mapFile: String { SocketmapServers.faultMapFile ?? "/nonexistent/fault.map" }

    func writeCacheConfig(_ cache: String) throws {
        try TestEnvironment.write("socket \(SocketmapServers.faultSocket ?? "")\ntimeout \(Int(Self.timeout))\n" + cache, to: config)
    }

    /// Rewrites the map file with `key` set (or left out), by rename: the server sees either
    /// the old file or the new one.
    func setAlias(_ key: String, to value: String?) throws {
        let lines = try TestEnvironment.readText(Self.mapFile).split(separator: "\n").filter { !$0.hasPrefix("\(key) ") }
        let text = (lines.map(String.init) + (value.map { ["\(key) \($0)"] } ?? [])).map { $0 + "\n" }.joined()
        try TestEnvironment.write(text, to: Self.mapFile + ".new")
        guard TestEnvironment.run(["mv", "-f", Self.mapFile + ".new", Self.mapFile]) == 0 else {
            throw DriverError("cannot replace \(Self.mapFile)")
        }
    }

    /// Halted (SIGKILL), frozen, or restarted (every connection ends).
    func begin(_ outage: Outage) throws {
        let server = try SocketmapServers.faultControl()
        switch outage {
        case .stopped: try server.halt()
        case .frozen: try server.freeze()
        case .killed: try server.restart()
        case .locked: throw DriverError("table-socketmap: no locked outage")
        }
    }

    func end(_ outage: Outage) throws {
        let server = try SocketmapServers.faultControl()
        switch outage {
        case .stopped: try server.resume()
        case .frozen: try server.thaw()
        case .killed, .locked: break
        }
    }
}

extension SocketmapServers {
    static let faultMapFile = TestEnvironment.variable("SOCKETMAP_FAULT_MAP_FILE")
}

/// The answer cache against the fault server halted, frozen and restarted (CacheChecks).
/// In the fault tests' serialized suite: they stop that server.
extension SocketmapFaultTests {
    @Test(arguments: SocketmapFixture.cacheChecks) func cache(_ check: CacheCheck) throws {
        try check.run(on: SocketmapFixture.self)
    }
}
