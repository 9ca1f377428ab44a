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
package struct ServerControl: Sendable {
    /// Absolute path of the server script (its `.env` file names it).
    package let script: String
    /// Which of the script's servers, for scripts that run several.
    package let server: String?

    package init(script: String, server: String? = nil) {
        self.script = script
        self.server = server
    }

    package func halt() throws { try control("halt") }
    package func resume() throws { try control("resume") }
    package func restart() throws { try control("restart") }
    package func freeze() throws { try control("freeze") }
    package func thaw() throws { try control("thaw") }

    private func control(_ action: String) throws {
        let status = TestEnvironment.run(["bash", script, action] + (server.map { [$0] } ?? []))
        guard status == 0 else { throw DriverError("\(script) \(action) failed with status \(status)") }
    }
}
