import Testing
import TableProtocol
@testable import table_redis

/// Reply mapping without a server: every reply shape for check and lookup.
@Suite struct RedisAnswerTests {
    func s(_ text: String) -> RedisValue { .string(Array(text.utf8)) }

    func lookup(_ value: RedisValue, _ service: Service, key: String = "k") -> Answer {
        RedisAnswer.lookup(value, service: service, key: Array(key.utf8), command: "GET")
    }

    @Test func check() {
        #expect(RedisAnswer.check(.integer(1), command: "X") == .hit)
        #expect(RedisAnswer.check(.integer(0), command: "X") == .notFound)
        #expect(RedisAnswer.check(.integer(2), command: "X") == .error("X returned the integer 2; a check needs 1 or 0"))
        #expect(RedisAnswer.check(.integer(4_294_967_297), command: "X") != .hit)
        #expect(RedisAnswer.check(s(""), command: "X") == .hit)
        #expect(RedisAnswer.check(.array([s("a")]), command: "X") == .hit)
        #expect(RedisAnswer.check(.array([]), command: "X") == .notFound)
        #expect(RedisAnswer.check(.array([.null, .null]), command: "X") == .notFound)
        #expect(RedisAnswer.check(.null, command: "X") == .notFound)
        #expect(RedisAnswer.check(.status("OK"), command: "X") == .error("X returned the status \"OK\", not data"))
        #expect(RedisAnswer.check(.error("WRONGTYPE x"), command: "X") == .error("redis: WRONGTYPE x"))
    }

    @Test func lookupStringsAndArrays() {
        #expect(lookup(s("a, b"), .alias) == .found("a, b"))
        #expect(lookup(.array([s("a"), s("b")]), .alias) == .found("a, b"))
        #expect(lookup(.array([s(""), s("x"), s("")]), .alias) == .found("x"))
        #expect(lookup(.array([s("1000"), s("1000"), s("/home/u")]), .userinfo) == .found("1000:1000:/home/u"))
        #expect(lookup(.array([s("u"), s("$2b$08$abc")]), .credentials) == .found("u:$2b$08$abc"))
        #expect(lookup(.array([s("u"), s("{CRYPT}$2b$08$abc")]), .credentials) == .found("u:$2b$08$abc"))
        #expect(lookup(s("$2b$08$abc"), .credentials) == .found("$2b$08$abc"))
        #expect(lookup(.array([s("a"), s("b")]), .mailaddrmap) == .found("a, b"))
        #expect(lookup(s("mx.example.org"), .addrname) == .found("mx.example.org"))
    }

    @Test func missingDataIsNotFound() {
        #expect(lookup(.null, .alias) == .notFound)
        #expect(lookup(.array([]), .alias) == .notFound)
        #expect(lookup(.array([.null, .null, .null]), .userinfo) == .notFound)
    }

    @Test func integersAnswerDomainAndMailaddr() {
        #expect(lookup(.integer(1), .domain, key: "example.org") == .found("example.org"))
        #expect(lookup(.integer(0), .mailaddr) == .notFound)
        #expect(lookup(.integer(7), .domain) == .error("GET returned the integer 7; domain lookups need 1 or 0"))
        #expect(lookup(.integer(1), .alias) == .error("GET returned an integer; alias lookups need a string or an array"))
    }

    @Test func badShapesAreErrors() {
        #expect(lookup(s(""), .alias) == .error("GET returned an empty string"))
        #expect(lookup(.array([s(""), s("")]), .alias) == .error("GET returned only empty strings"))
        #expect(lookup(.array([s("a"), .null]), .alias) == .error("GET returned an array with missing (nil) elements"))
        #expect(lookup(.array([s("a"), .integer(1)]), .alias) == .error("GET returned an array with a non-string element"))
        #expect(lookup(.array([s("a")]), .domain) == .error("GET returned an array; domain lookups need a string"))
        #expect(lookup(.array([s("x"), s("1000"), s("/h")]), .userinfo) == .error("GET returned userinfo that is not uid:gid:home"))
        #expect(lookup(.status("OK"), .alias) == .error("GET returned the status \"OK\", not data"))
        #expect(lookup(.error("ERR boom"), .alias) == .error("redis: ERR boom"))
    }
}
