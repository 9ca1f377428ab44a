import Testing
@testable import TableProtocol

/// `includes` and `range(ofText:)`, which stand in for the string search of
/// `_StringProcessing` (see TextSearch.swift).
@Suite struct TextSearchTests {
    @Test func findsFragmentsAnywhere() {
        #expect("host=db password=x".includes("password"))
        #expect("password".includes("password"))
        #expect("abc".includes(""))
        #expect("[::1]:6379".dropFirst().includes(":"))
        #expect(!"passwor".includes("password"))
        #expect(!"".includes("a"))
        #expect(!"aab".includes("abb"))
    }

    @Test func comparesBytesNotCharacters() {
        // "é" as one scalar and as "e" + combining acute are different bytes.
        #expect(!"caf\u{E9}".includes("cafe\u{301}"))
        #expect("na\u{EF}ve \u{1F600}!".includes("\u{1F600}!"))
    }

    @Test func rangeCoversTheFirstOccurrence() throws {
        let text = "postgresql://user:secret@host/db?x=://"
        let range = try #require(text.range(ofText: "://"))
        #expect(text[..<range.lowerBound] == "postgresql")
        #expect(text[range.upperBound...].hasPrefix("user:secret@"))
        let slice = text.dropFirst(4)
        let inSlice = try #require(slice.range(ofText: "user"))
        #expect(slice[inSlice] == "user")
        #expect(text.range(ofText: "mysql://") == nil)
    }
}
