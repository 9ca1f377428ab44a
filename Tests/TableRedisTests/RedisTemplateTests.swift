import Testing
@testable import table_redis

/// The command templates: hiredis's splitting rules, with every `%s` replaced.
@Suite struct RedisTemplateTests {
    func argv(_ template: String, _ key: String) throws -> [String] {
        try RedisCommandTemplate.parse(template).argv(key: Array(key.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func theKeyStaysInsideItsArgument() throws {
        #expect(try argv("HMGET user:%s uid gid maildir", "foo bar") == ["HMGET", "user:foo bar", "uid", "gid", "maildir"])
        #expect(try argv("GET alias:%s", "a %s b\r") == ["GET", "alias:a %s b\r"])
        #expect(try argv("GET  a:%s ", "") == ["GET", "a:"])
        #expect(try argv("GET %s", "") == ["GET", ""])
    }

    @Test func spacesAloneSeparateArguments() throws {
        #expect(try argv("GET\tx %s", "k") == ["GET\tx", "k"])
        #expect(try argv("   SISMEMBER    domains   %s   ", "example.org") == ["SISMEMBER", "domains", "example.org"])
    }

    @Test func everyPercentSIsTheKeyAndPercentPercentIsAPercent() throws {
        #expect(try argv("HGET %s:%s f", "k") == ["HGET", "k:k", "f"])
        #expect(try argv("GET 100%%:%s", "k") == ["GET", "100%:k"])
        #expect(try argv("GET a%", "k") == ["GET", "a%"])
    }

    @Test func otherConversionsAndEmptyCommandsAreRefused() {
        #expect(throws: RedisCommandTemplate.ParseError.unsupportedConversion("%d")) { try RedisCommandTemplate.parse("GET %d") }
        #expect(throws: RedisCommandTemplate.ParseError.unsupportedConversion("%b")) { try RedisCommandTemplate.parse("SET %s %b") }
        #expect(throws: RedisCommandTemplate.ParseError.empty) { try RedisCommandTemplate.parse("    ") }
    }

    @Test func commandNameNeverHoldsTheKey() throws {
        #expect(try RedisCommandTemplate.parse("HMGET user:%s uid").commandName == "HMGET")
        #expect(try RedisCommandTemplate.parse("%s").commandName == "%s")
    }
}
