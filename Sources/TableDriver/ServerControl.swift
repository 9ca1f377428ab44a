#if canImport(Glibc)
import Glibc
#endif

/// A test server started by `scripts/servers/NAME.sh`, driven through the same script by the
/// fault tests: `halt` (stop it: the SQL servers keep their data, the others are killed as
/// in a crash), `resume`, `restart`, `freeze` (SIGSTOP, returning once every thread of the
/// server is stopped), `thaw`. A script with several servers takes the one to act on as
/// `server` (e.g. redis.sh's Sentinel nodes); without it the script picks its fault server.
///
/// Always through the script, never a `kill` of the test's own: SIGSTOP is asynchronous,
/// and a server thread can still answer a request sent right after kill(2) returned
/// (scripts/lib/processes.sh waits until every thread is stopped).
public struct ServerControl: Sendable {
    /// Absolute path of the server script (its `.env` file names it).
    public let script: String
    /// Which of the script's servers, for scripts that run several.
    public let server: String?

    public init(script: String, server: String? = nil) {
        self.script = script
        self.server = server
    }

    public func halt() throws { try control("halt") }
    public func resume() throws { try control("resume") }
    public func restart() throws { try control("restart") }
    public func freeze() throws { try control("freeze") }
    public func thaw() throws { try control("thaw") }

    private func control(_ action: String) throws {
        let status = TestEnvironment.run(["bash", script, action] + (server.map { [$0] } ?? []))
        guard status == 0 else { throw DriverError("\(script) \(action) failed with status \(status)") }
    }
}
