import Testing
@testable import TableProtocol

@Suite struct RequestParserTests {
    func parse(_ text: String, truncated: Bool = false) -> ParsedLine {
        RequestParser.parse(Array(text.utf8), truncated: truncated)
    }

    @Test func lookupWithKey() {
        #expect(parse("table|0.1|1713795082.354255|users|lookup|alias|0a1b2c3d|bob@example.org")
            == .request(Request(id: "0a1b2c3d", operation: .lookup, service: .alias, key: Array("bob@example.org".utf8), table: "users")))
    }

    @Test func keyKeepsPipesAndMayBeEmpty() {
        #expect(parse("table|0.1|1.0|t|check|domain|00000001|a|b||c")
            == .request(Request(id: "00000001", operation: .check, service: .domain, key: Array("a|b||c".utf8), table: "t")))
        #expect(parse("table|0.1|1.0|t|lookup|alias|00000001|")
            == .request(Request(id: "00000001", operation: .lookup, service: .alias, key: [], table: "t")))
    }

    @Test func keyIsBytesNotText() {
        let line: [UInt8] = Array("table|0.1|1.0|t|lookup|alias|00000001|".utf8) + [0xff, 0xfe, 0x0d]
        guard case .request(let request) = RequestParser.parse(line) else {
            Issue.record("not parsed")
            return
        }
        #expect(request.key == [0xff, 0xfe, 0x0d])
    }

    @Test func fetchAndUpdate() {
        #expect(parse("table|0.1|1.0|t|fetch|source|00000002")
            == .request(Request(id: "00000002", operation: .fetch, service: .source, table: "t")))
        #expect(parse("table|0.1|1.0|t|update|00000003")
            == .request(Request(id: "00000003", operation: .update, service: .none, table: "t")))
    }

    @Test func everyServiceNameIsKnown() {
        for service in Service.allCases where service != .none {
            #expect(parse("table|0.1|1.0|t|check|\(service)|00000001|k")
                == .request(Request(id: "00000001", operation: .check, service: service, key: [0x6b], table: "t")))
        }
    }

    @Test func badRequestsWithAnIdGetAnErrorReply() {
        let address = ReplyAddress(operation: "lookup", id: "00000004")
        #expect(parse("table|0.1|1.0|t|lookup|frobnicate|00000004|k") == .invalid(address, reason: "unsupported service \"frobnicate\""))
        #expect(parse("table|0.1|1.0|t|lookup|none|00000004|k") == .invalid(address, reason: "unsupported service \"none\""))
        #expect(parse("table|0.2|1.0|t|lookup|alias|00000004|k") == .invalid(address, reason: "unsupported protocol version"))
        #expect(parse("table|0.1|1.0|t|lookup|alias|00000004") == .invalid(address, reason: "missing key"))
        #expect(parse("table|0.1|1.0|t|lookup|alias|00000004|k", truncated: true) == .invalid(address, reason: "request line too long"))
        #expect(parse("table|0.1|1.0|t|frob|alias|00000005|k")
            == .invalid(ReplyAddress(operation: "frob", id: "00000005"), reason: "unknown operation \"frob\""))
        #expect(parse("table|0.1|1.0|t|update|00000006|extra")
            == .invalid(ReplyAddress(operation: "update", id: "00000006"), reason: "unexpected fields after the id"))
        #expect(parse("table|0.1|1.0|t|fetch|source|00000007|extra")
            == .invalid(ReplyAddress(operation: "fetch", id: "00000007"), reason: "unexpected fields after the id"))
    }

    /// An auth key pushed into the op or service field by a broken line is not echoed in the
    /// reason (which is logged); a non-hex id is not logged either.
    @Test func reasonsNeverEchoAnAuthKey() {
        #expect(parse("table|0.1|1.0|t|lookup|alice:Secret1|00000004|k")
            == .invalid(ReplyAddress(operation: "lookup", id: "00000004"), reason: "unsupported service"))
        #expect(parse("table|0.1|1.0|t|alice:Secret1|auth|00000005|k")
            == .invalid(ReplyAddress(operation: "alice:Secret1", id: "00000005"), reason: "unknown operation"))
        #expect(ReplyAddress(operation: "alice:Secret1", id: "alice:Secret2").logDescription == "unknown-operation request with a malformed id")
        #expect(ReplyAddress(operation: "check", id: "00000000000000aF").logDescription == "check request 00000000000000aF")
    }

    @Test func linesWithoutAnIdAreUnanswerable() {
        for text in ["", "garbage", "table", "table|0.1|1.0|t", "table|0.1|1.0|t|lookup", "table|0.1|1.0|t|lookup|alias",
                     "TABLE|0.1|1.0|t|lookup|alias|00000001|k", "table|0.1|1.0|t|lookup|alias||k", "table|0.1|1.0|t||alias|1|k",
                     "table|0.1|1.0|t|update|", "table|0.1|1.0|t|lookup|alias|id with space|k"] {
            guard case .unanswerable = parse(text) else {
                Issue.record("\(text) should be unanswerable, is \(parse(text))")
                continue
            }
        }
        // An id with a control byte could not be echoed safely.
        let line = Array("table|0.1|1.0|t|lookup|alias|00".utf8) + [0x0d] + Array("|k".utf8)
        guard case .unanswerable = RequestParser.parse(line) else {
            Issue.record("id with CR accepted")
            return
        }
    }
}
