#if canImport(Glibc)
import Glibc
#endif

/// Where the built table binaries are, and which test servers `scripts/test.sh` started.
package enum TestEnvironment {
    /// The directory of the running executable (the test bundle or table-bench), where
    /// SwiftPM also puts every executable product of the same build.
    package static var binaryDirectory: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return ".build/debug" }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    }

    /// The path of a built table binary, e.g. `binary("table-sqlite")`.
    package static func binary(_ name: String) -> String {
        "\(binaryDirectory)/\(name)"
    }

    package static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// True when tests that need a server must fail rather than skip without it
    /// (`scripts/test.sh`, and so CI, sets TABLES_TEST_REQUIRE_SERVERS=1).
    package static var serversRequired: Bool {
        variable("TABLES_TEST_REQUIRE_SERVERS") == "1"
    }

    /// Two ports of 127.0.0.1 where nothing listens, for tests of a server that is down:
    /// TABLES_TEST_CLOSED_PORT and TABLES_TEST_OTHER_CLOSED_PORT, which
    /// scripts/lib/test-servers.sh sets with the servers' ports (18199 and 18198 unless moved).
    package static var closedPorts: [Int] {
        [variable("TABLES_TEST_CLOSED_PORT").flatMap { Int($0) } ?? 18199,
         variable("TABLES_TEST_OTHER_CLOSED_PORT").flatMap { Int($0) } ?? 18198]
    }

    /// A fresh private directory for one test's files.
    package static func makeTemporaryDirectory(_ prefix: String = "table-test") -> String {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        guard let result = mkdtemp(&template) else { return "/tmp" }
        return String(cString: result)
    }

    /// Writes a file (tests build configs and data files with it).
    package static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    package static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw DriverError("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw DriverError("write \(path): \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Runs a command to completion (for test setup: sqlite3, psql, redis-cli...) and returns
    /// its exit status.
    @discardableResult
    package static func run(_ arguments: [String], stdinPath: String? = nil) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdinPath { posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0) }
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        guard posix_spawnp(&pid, arguments[0], &actions, nil, &cArguments, environ) == 0 else { return 127 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

/// The outcome of a finished command: exit status and what it printed.
package struct CommandOutput: Sendable {
    package var status: Int32
    package var stdout: String
    package var stderr: String
}

extension TestEnvironment {
    /// Runs a command with `argv0` as its argv[0] and returns its status and output; stdin
    /// is /dev/null unless `input` is given.
    package static func capture(_ executable: String, argv0: String? = nil, _ arguments: [String], input: String? = nil) throws -> CommandOutput {
        let directory = makeTemporaryDirectory("capture")
        defer { run(["rm", "-rf", directory]) }
        let inputPath = "\(directory)/in", outPath = "\(directory)/out", errPath = "\(directory)/err"
        try write(input ?? "", to: inputPath)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = [argv0 ?? executable] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw DriverError("posix_spawn \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return CommandOutput(status: code, stdout: try readText(outPath), stderr: try readText(errPath))
    }

    /// Runs `body` on the path of a file `name` holding `text`, in a fresh directory removed
    /// after: for the unit tests that load a config without running a table. Throws what
    /// `body` throws (a file that could not be written fails the load instead).
    package static func withFile<Result, Failure: Error>(
        _ text: String, named name: String, mode: mode_t = 0o644, _ body: (String) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let directory = makeTemporaryDirectory("config")
        defer { run(["rm", "-rf", directory]) }
        let path = "\(directory)/\(name)"
        try? write(text, to: path, mode: mode)
        return try body(path)
    }

    /// A whole file as text.
    package static func readText(_ path: String) throws -> String {
        guard let file = fopen(path, "r") else { throw DriverError("fopen \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
