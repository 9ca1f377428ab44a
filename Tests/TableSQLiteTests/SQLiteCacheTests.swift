import Testing
import TableDriver
import TableTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// For SQLite the server cannot answer when the database stays locked past the timeout:
/// another process holds an exclusive lock (SQLITE_BUSY after the busy timeout).
extension SQLiteFixture: SQLCacheFixture {
    static var timeout: Double { 1 }
    static var outages: [Outage] { [.locked] }

    func execute(_ statements: String) throws { try sql(statements) }

    func writeBody(_ body: String) throws {
        try writeConfig("timeout \(Int(Self.timeout))\n" + body)
    }

    private var lockerPIDFile: String { "\(directory)/locker.pid" }

    /// A python3 process takes an exclusive lock on the database and holds it until killed;
    /// returns once it has the lock (it writes its pid file then).
    func begin(_ outage: Outage) throws {
        let script = """
            import os, sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN EXCLUSIVE")
            with open(sys.argv[2] + ".tmp", "w") as f:
                f.write(str(os.getpid()))
            os.rename(sys.argv[2] + ".tmp", sys.argv[2])
            time.sleep(300)
            """
        try TestEnvironment.write(script, to: "\(directory)/locker.py")
        let status = TestEnvironment.run(["bash", "-c", "python3 \"$0/locker.py\" \"$1\" \"$2\" </dev/null >\"$0/locker.log\" 2>&1 &",
                                          directory, database, lockerPIDFile])
        guard status == 0 else { throw DriverError("starting the locker failed with status \(status)") }
        let deadline = monotonicNow() + 10
        while (try? TestEnvironment.readText(lockerPIDFile)) == nil {
            guard monotonicNow() < deadline else { throw DriverError("the locker did not take the lock: \(log())") }
            usleep(20_000)
        }
    }

    /// Kills the locker and waits until it is gone: the lock goes with it.
    func end(_ outage: Outage) throws {
        guard let text = try? TestEnvironment.readText(lockerPIDFile), let pid = pid_t(text) else { return }
        kill(pid, SIGKILL)
        let deadline = monotonicNow() + 10
        while Self.isAlive(pid) {
            guard monotonicNow() < deadline else { throw DriverError("the locker \(pid) did not exit") }
            usleep(20_000)
        }
        TestEnvironment.run(["rm", "-f", lockerPIDFile])
    }

    /// Alive and not a zombie (a zombie holds no lock).
    private static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? TestEnvironment.readText("/proc/\(pid)/stat") else { return false }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state != nil && state != "Z"
    }
}

/// The answer cache over a locked database (CacheChecks).
@Suite struct SQLiteCacheTests {
    @Test(arguments: SQLiteFixture.cacheChecks) func cache(_ check: CacheCheck) throws {
        try check.run(on: SQLiteFixture.self)
    }
}
