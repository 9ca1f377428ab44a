import TableDriver

/// What every backend's test fixture has: a private directory holding the table's config
/// (or the file it serves) and its stderr log, and the backend's binary started on it the
/// way smtpd starts it. A fixture type states its binary, the table name smtpd would give
/// it and the directory; the rest is written once here.
package protocol TableFixture {
    /// The backend's executable, e.g. `table-postgres`.
    static var program: String { get }
    /// The name smtpd gives the table (argv[0]) unless a test says otherwise.
    static var tableName: String { get }
    /// This fixture's own directory, removed by `cleanUp()`.
    var directory: String { get }
    /// What the table is started on: its config file, or the file it serves.
    var config: String { get }
}

extension TableFixture {
    /// The built backend, beside the test bundle.
    package static var binary: String { TestEnvironment.binary(program) }

    /// Where the table's stderr goes.
    package var stderr: String { "\(directory)/stderr.log" }

    /// The table started on `arguments` (default: the config) as smtpd starts it, its
    /// stderr appended to `stderr`. The handshake is the caller's.
    package func start(tableName: String = Self.tableName, arguments: [String]? = nil) throws -> TableProcess {
        try TableProcess(executable: Self.binary, tableName: tableName, arguments: arguments ?? [config], stderrPath: stderr)
    }

    /// The table started as `start` does, at `-v`.
    package func startVerbose(tableName: String = Self.tableName) throws -> TableProcess {
        try start(tableName: tableName, arguments: ["-v", config])
    }

    /// Runs `body` on the table started on this fixture (at `-v` if `verbose`) once smtpd's
    /// handshake is done, then removes the fixture's directory: the start of most tests of
    /// a running table, so that each of them says only what it asks. Tests that check the
    /// services registered call `start` and `handshake` themselves.
    @discardableResult
    package func withTable<Result>(tableName: String = Self.tableName, verbose: Bool = false,
                                   _ body: (TableProcess) throws -> Result) throws -> Result {
        defer { cleanUp() }
        let table = try verbose ? startVerbose(tableName: tableName) : start(tableName: tableName)
        _ = try table.handshake()
        return try body(table)
    }

    /// The backend run as a command (`-n CONFIG`, `CONFIG lookup SERVICE KEY`...), to its end.
    package func command(_ arguments: [String]) throws -> CommandOutput {
        try TestEnvironment.capture(Self.binary, arguments)
    }

    /// Everything the table wrote to stderr so far.
    package func log() -> String { (try? TestEnvironment.readText(stderr)) ?? "" }

    package func cleanUp() { TestEnvironment.run(["rm", "-rf", directory]) }
}
