import Testing
@testable import TableProtocol

@Suite struct ReplyTests {
    func text(_ operation: Operation, _ answer: Answer) -> String {
        String(decoding: Reply.encode(operation: operation, id: "0a1b2c3d", answer: answer).line, as: UTF8.self)
    }

    @Test func shapesSmtpdParses() {
        #expect(text(.lookup, .found("a, b")) == "lookup-result|0a1b2c3d|found|a, b\n")
        #expect(text(.fetch, .found("192.0.2.1")) == "fetch-result|0a1b2c3d|found|192.0.2.1\n")
        #expect(text(.check, .found("ignored")) == "check-result|0a1b2c3d|found\n")
        #expect(text(.check, .hit) == "check-result|0a1b2c3d|found\n")
        #expect(text(.lookup, .notFound) == "lookup-result|0a1b2c3d|not-found\n")
        #expect(text(.check, .error("db down")) == "check-result|0a1b2c3d|error|db down\n")
        #expect(text(.update, .hit) == "update-result|0a1b2c3d|ok\n")
        #expect(text(.update, .error("bad config")) == "update-result|0a1b2c3d|error|bad config\n")
    }

    @Test func valuesThatWouldKillSmtpdBecomeErrors() {
        #expect(text(.lookup, .found("")) == "lookup-result|0a1b2c3d|error|empty value\n")
        #expect(text(.fetch, .found("")) == "fetch-result|0a1b2c3d|error|empty value\n")
        #expect(text(.lookup, .found("a\nb")) == "lookup-result|0a1b2c3d|error|value contains a line break\n")
        #expect(text(.lookup, .found("a\rb")) == "lookup-result|0a1b2c3d|error|value contains a line break\n")
        #expect(text(.lookup, .found([0x61, 0]))  == "lookup-result|0a1b2c3d|error|value contains a NUL byte\n")
        #expect(text(.lookup, .found(String(repeating: "x", count: 2047))).count == "lookup-result|0a1b2c3d|found|".count + 2048)
        #expect(text(.lookup, .found(String(repeating: "x", count: 2048))) == "lookup-result|0a1b2c3d|error|value too large (2048 bytes)\n")
    }

    @Test func errorMessagesStayOnOneLine() {
        #expect(text(.lookup, .error("line1\nline2\r")) == "lookup-result|0a1b2c3d|error|line1 line2 \n")
        #expect(text(.lookup, .error("")) == "lookup-result|0a1b2c3d|error|unknown error\n")
        let long = text(.lookup, .error(String(repeating: "e", count: 5000)))
        #expect(long.count == "lookup-result|0a1b2c3d|error|".count + Reply.maximumMessageLength + 1)
    }

    @Test func errorForUnparsedRequests() {
        let line = Reply.encodeError(ReplyAddress(operation: "frob", id: "00000001"), reason: "unknown operation")
        #expect(String(decoding: line, as: UTF8.self) == "frob-result|00000001|error|unknown operation\n")
    }
}
