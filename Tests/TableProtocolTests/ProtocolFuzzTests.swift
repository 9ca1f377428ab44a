import Glibc
import Testing
import TableDriver
@testable import TableProtocol

/// Property tests of the parser and the reply encoder on generated hostile lines.
@Suite struct ProtocolFuzzTests {
    static var iterations: Int {
        getenv("TABLES_FUZZ_ITERATIONS").flatMap { Int(String(cString: $0)) } ?? 20_000
    }

    @Test func parserAndRepliesHoldTheirInvariants() {
        var fuzzer = RequestFuzzer(seed: 20261125)
        let answers: [Answer] = [.hit, .notFound, .error("e\r\nx"), .found(""), .found("v\nw"), .found("ok"),
                                 .found([UInt8](repeating: 0x61, count: 3000))]
        var requests = 0, invalid = 0, unanswerable = 0
        for index in 0..<Self.iterations {
            let id = String(index, radix: 16)
            let line = fuzzer.line(id: id)
            for piece in line.split(separator: 0x0A, omittingEmptySubsequences: false) {
                let truncated = piece.count > 16 * 1024
                switch RequestParser.parse(piece.prefix(16 * 1024), truncated: truncated) {
                case .request(let request):
                    requests += 1
                    #expect(!truncated)
                    #expect(RequestParser.token(Array(request.id.utf8)) != nil)
                    let answer = answers[index % answers.count]
                    let reply = Reply.encode(operation: request.operation, id: request.id, answer: answer).line
                    #expect(SmtpdReplyCheck.isParsable(reply, operation: request.operation.rawValue, id: request.id),
                            "reply \(String(decoding: reply, as: UTF8.self))")
                case .invalid(let address, let reason):
                    invalid += 1
                    let reply = Reply.encodeError(address, reason: reason)
                    #expect(SmtpdReplyCheck.isParsable(reply, operation: address.operation, id: address.id))
                case .unanswerable:
                    unanswerable += 1
                }
            }
        }
        // The generator reaches all three outcomes in volume.
        #expect(requests > Self.iterations / 10)
        #expect(invalid > Self.iterations / 20)
        #expect(unanswerable > Self.iterations / 20)
    }

    /// A well-formed request is never rejected, whatever its key.
    @Test func validRequestsAlwaysParse() {
        var fuzzer = RequestFuzzer(seed: 7)
        for index in 0..<50_000 {
            let id = String(format8: UInt32(truncatingIfNeeded: fuzzer.next()))
            let line = fuzzer.validLine(id: id)
            guard case .request(let request) = RequestParser.parse(line) else {
                Issue.record("rejected \(String(decoding: line, as: UTF8.self)) (\(index))")
                return
            }
            #expect(request.id == id)
        }
    }
}

extension String {
    init(format8 value: UInt32) {
        let hex = String(value, radix: 16)
        self = String(repeating: "0", count: 8 - hex.count) + hex
    }
}
