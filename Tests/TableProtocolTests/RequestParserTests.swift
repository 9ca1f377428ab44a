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

    /// The token check reads eight bytes at a time: every byte value at every place in a
    /// word (and in the bytes after the last whole word) gets the byte-by-byte verdict.
    @Test func tokenCheckJudgesEveryByteAtEveryPlace() {
        let wrong = ByteWordTests.misjudged(lengths: [1, 7, 8, 9, 16, 17], by: RequestParser.isToken) {
            $0 > 0x20 && $0 < 0x7f
        }
        #expect(wrong.isEmpty, "\(wrong)")
    }

    /// The field split reads eight bytes at a time too: a `|` ends a field wherever it is,
    /// and no other byte value does, whichever bytes surround it.
    @Test func fieldsEndAtEveryPipeAndNowhereElse() {
        var wrong: [String] = []
        for value in 0...255 where value != 0x7c {
            for pipe in 0..<20 {
                var line = [UInt8](repeating: UInt8(value), count: 20)
                line[pipe] = 0x7c
                line.withUnsafeBufferPointer { buffer in
                    let fields = LineFields(buffer.baseAddress!, count: buffer.count)
                    if !fields.has(1) || fields.has(2) || fields.field(0) != 0..<pipe || fields.field(1) != (pipe + 1)..<20 {
                        wrong.append("byte \(value) with | at \(pipe)")
                    }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }

    /// At most seven separators are read (the seventh ends the id); the key after them keeps
    /// its own `|`.
    @Test func fieldsStopAtTheSeventhSeparator() {
        let line = Array("a|b|c|d|e|f|g|h|i|j".utf8)
        line.withUnsafeBufferPointer { buffer in
            let fields = LineFields(buffer.baseAddress!, count: buffer.count)
            #expect(fields.has(7) && !fields.has(8))
            #expect(fields.field(6) == 12..<13)
            #expect(Array(fields.bytes(fields.rest(after: 6))) == Array("h|i|j".utf8))
        }
    }

    /// Every op and service is known by its exact name, and by nothing longer or shorter
    /// (names are matched as packed integers, where a trailing NUL must not vanish).
    @Test func everyNameIsMatchedExactly() {
        for service in Service.allCases where service != .none {
            for operation in [Operation.check, .lookup] {
                guard case .request(let request) = parse("table|0.1|1|t|\(operation.rawValue)|\(service.rawValue)|0a|k") else {
                    Issue.record("\(operation) \(service) not parsed")
                    continue
                }
                #expect(request.operation == operation && request.service == service)
            }
            for variant in [service.rawValue + "\u{0}", String(service.rawValue.dropLast()), service.rawValue + "s", "x" + service.rawValue] {
                #expect(Array(variant.utf8).withUnsafeBufferPointer { Service($0) } == nil, "\(variant)")
            }
        }
        for operation in Operation.allCases {
            #expect(Array(operation.rawValue.utf8).withUnsafeBufferPointer { Operation($0) } == operation)
            #expect(Array((operation.rawValue + "\u{0}").utf8).withUnsafeBufferPointer { Operation($0) } == nil)
        }
        #expect(Array("credentialsxxxxxx".utf8).withUnsafeBufferPointer { Service($0) } == nil)
    }
}

