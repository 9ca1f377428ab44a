import Testing
@testable import table_socketmap

/// Both framings and the reply words, without a server.
@Suite struct SocketmapFramingTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func requests() {
        #expect(SocketmapFraming.line.encode(map: bytes("virt"), key: bytes("a@b")) == bytes("virt a@b\n"))
        #expect(SocketmapFraming.netstring.encode(map: bytes("virt"), key: bytes("a b")) == bytes("8:virt a b,"))
        #expect(SocketmapFraming.netstring.encode(map: bytes("m"), key: []) == bytes("2:m ,"))
    }

    @Test func lineReplies() {
        #expect(SocketmapFraming.line.decode(bytes("OK v\nrest")[...]) == .reply(bytes("OK v"), consumed: 5))
        #expect(SocketmapFraming.line.decode(bytes("OK v\r\n")[...]) == .reply(bytes("OK v"), consumed: 6))
        #expect(SocketmapFraming.line.decode(bytes("OK v")[...]) == .incomplete)
        let long = [UInt8](repeating: 0x61, count: 100_001)
        #expect(SocketmapFraming.line.decode(long[...]) == .invalid("socketmap reply too large"))
    }

    @Test func netstringReplies() {
        #expect(SocketmapFraming.netstring.decode(bytes("4:OK v,")[...]) == .reply(bytes("OK v"), consumed: 7))
        #expect(SocketmapFraming.netstring.decode(bytes("4:OK v")[...]) == .incomplete)
        #expect(SocketmapFraming.netstring.decode(bytes("12")[...]) == .incomplete)
        #expect(SocketmapFraming.netstring.decode(bytes("4:OK vX")[...]) == .invalid("socketmap netstring reply does not end with a comma"))
        #expect(SocketmapFraming.netstring.decode(bytes(":x,")[...]) == .invalid("socketmap reply is not a netstring"))
        #expect(SocketmapFraming.netstring.decode(bytes("x:")[...]) == .invalid("socketmap reply is not a netstring"))
        #expect(SocketmapFraming.netstring.decode(bytes("100001:")[...]) == .invalid("socketmap reply too large"))
        #expect(SocketmapFraming.netstring.decode(bytes("99999999:")[...]) == .invalid("socketmap reply is not a netstring"))
    }

    @Test func replyWords() {
        #expect(SocketmapReply.parse(bytes("OK v")) == .ok(bytes("v")))
        #expect(SocketmapReply.parse(bytes("ok  v")) == .ok(bytes(" v")))
        #expect(SocketmapReply.parse(bytes("OK ")) == .ok([]))
        #expect(SocketmapReply.parse(bytes("OK")) == .unrecognized)
        #expect(SocketmapReply.parse(bytes("NOTFOUND ")) == .notFound)
        #expect(SocketmapReply.parse(bytes("NotFound")) == .notFound)
        #expect(SocketmapReply.parse(bytes("TEMP busy")) == .failure(status: "TEMP", reason: "busy"))
        #expect(SocketmapReply.parse(bytes("timeout")) == .failure(status: "TIMEOUT", reason: ""))
        #expect(SocketmapReply.parse(bytes("PERM x")) == .failure(status: "PERM", reason: "x"))
        #expect(SocketmapReply.parse(bytes("OKAY x")) == .unrecognized)
        #expect(SocketmapReply.parse([]) == .unrecognized)
    }

    @Test func addresses() {
        #expect(SocketAddress.parse("/run/map.sock") == .unix("/run/map.sock"))
        #expect(SocketAddress.parse("unix:/run/map.sock") == .unix("/run/map.sock"))
        #expect(SocketAddress.parse("inet:127.0.0.1:17000") == .inet(host: "127.0.0.1", port: 17000))
        #expect(SocketAddress.parse("inet:[::1]:17000") == .inet(host: "::1", port: 17000))
        #expect(SocketAddress.parse("inet:host") == nil)
        #expect(SocketAddress.parse("inet:host:99999") == nil)
        #expect(SocketAddress.parse("") == nil)
    }
}
