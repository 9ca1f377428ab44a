import Glibc
import Testing
import TableDriver
import TableTestSupport
import TableProtocol

/// The server loop under hostile input, on the real table-passwd binary.
@Suite struct PasswdFuzzTests {
    @Test func hostileLinesNeverBreakTheStream() throws {
        let directory = TestEnvironment.makeTemporaryDirectory("passwd-fuzz")
        defer { TestEnvironment.run(["rm", "-rf", directory]) }
        try TestEnvironment.write("alice:x:1:1::/h\nbob:y:2:2::/h\n", to: "\(directory)/passwd")
        let table = try TableProcess(executable: PasswdTests.Fixture.binary, tableName: "t",
                                     arguments: ["\(directory)/passwd"], stderrPath: "\(directory)/stderr")
        _ = try table.handshake()
        let iterations = getenv("TABLES_FUZZ_ITERATIONS").flatMap { Int(String(cString: $0)) } ?? 20_000
        let report = try ProtocolFuzz.run(table, iterations: iterations, seed: 1125, expectedReply: { line in
            switch RequestParser.parse(line.prefix(16 * 1024), truncated: line.count > 16 * 1024) {
            case .request(let request): (request.operation.rawValue, request.id)
            case .invalid(let address, _): (address.operation, address.id)
            case .unanswerable: nil
            }
        }, isParsable: { reply, operation, id in
            SmtpdReplyCheck.isParsable(reply, operation: operation, id: id)
        })
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.replies > iterations / 4)
        table.closeInput()
        #expect(table.wait() == 0)
    }
}
