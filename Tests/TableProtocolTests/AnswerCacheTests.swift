import Testing
import Synchronization
@testable import TableProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The answer cache's rules, on a clock the test moves: fresh answers without the server,
/// expired ones asked again, stale ones only while the server cannot answer, never auth,
/// fetch or errors, never more than `cache_size` entries.
@Suite struct AnswerCacheTests {
    /// Monotonic seconds that only move when the test says so.
    final class TestClock: Sendable {
        private let time = Mutex<Double>(1000)
        func now() -> Double { time.withLock { $0 } }
        func advance(_ seconds: Double) { time.withLock { $0 += seconds } }
    }

    /// What the server says, and how often it was asked.
    final class Server {
        var reply: Attempt = .answered(.found("from the server"))
        var asked = 0
        func ask() -> Attempt {
            asked += 1
            return reply
        }
    }

    let clock = TestClock()
    let server = Server()
    let log = LogCapture()

    func cache(ttl: Int = 60, negative: Int? = nil, stale: Int = 0, size: Int = 100) -> AnswerCache {
        let clock = clock
        return AnswerCache(CacheSettings(ttl: ttl, negativeTTL: negative ?? ttl, staleTTL: stale, size: size),
                           clock: { clock.now() })
    }

    func lookup(_ key: String, _ service: Service = .alias) -> Request {
        Request(id: "1", operation: .lookup, service: service, key: Array(key.utf8))
    }

    func ask(_ cache: AnswerCache, _ request: Request) -> (Answer, CacheUse) {
        cache.answer(request, logger: log.logger) { server.ask() }
    }

    @Test func aFreshAnswerIsServedWithoutTheServer() {
        let cache = cache()
        #expect(ask(cache, lookup("alice")) == (.found("from the server"), .miss))
        server.reply = .answered(.found("changed"))
        clock.advance(59)
        #expect(ask(cache, lookup("alice")) == (.found("from the server"), .hit))
        #expect(server.asked == 1)
    }

    @Test func anExpiredAnswerIsAskedAgainAndPicksUpTheChange() {
        let cache = cache()
        _ = ask(cache, lookup("alice"))
        server.reply = .answered(.found("changed"))
        clock.advance(60)
        #expect(ask(cache, lookup("alice")) == (.found("changed"), .miss))
        #expect(ask(cache, lookup("alice")) == (.found("changed"), .hit))
        #expect(server.asked == 2)
    }

    @Test func notFoundHasItsOwnLifetime() {
        let cache = cache(ttl: 60, negative: 5)
        server.reply = .answered(.notFound)
        #expect(ask(cache, lookup("nobody")) == (.notFound, .miss))
        clock.advance(4)
        #expect(ask(cache, lookup("nobody")) == (.notFound, .hit))
        clock.advance(1)
        #expect(ask(cache, lookup("nobody")) == (.notFound, .miss))
    }

    @Test func checkAndLookupAndServicesAreSeparateEntries() {
        let cache = cache()
        _ = ask(cache, lookup("example.org", .domain))
        _ = ask(cache, Request(id: "2", operation: .check, service: .domain, key: Array("example.org".utf8)))
        _ = ask(cache, lookup("example.org", .alias))
        #expect(server.asked == 3)
        #expect(cache.count == 3)
    }

    @Test func errorsAreNeverFiled() {
        let cache = cache()
        server.reply = .answered(.error("query_alias returned NULL in column 1"))
        #expect(ask(cache, lookup("alice")) == (.error("query_alias returned NULL in column 1"), .miss))
        server.reply = .answered(.found("fixed"))
        #expect(ask(cache, lookup("alice")) == (.found("fixed"), .miss))
    }

    @Test func authAndFetchAreNeverCacheable() {
        #expect(!AnswerCache.isCacheable(Request(id: "1", operation: .check, service: .auth, key: Array("alice:pw".utf8))))
        #expect(!AnswerCache.isCacheable(Request(id: "1", operation: .fetch, service: .source)))
        #expect(AnswerCache.isCacheable(Request(id: "1", operation: .check, service: .domain)))
        #expect(AnswerCache.isCacheable(lookup("alice", .userinfo)))
    }

    @Test func anExpiredAnswerBridgesAnOutageForStaleTTL() {
        let cache = cache(ttl: 60, stale: 300)
        _ = ask(cache, lookup("alice"))
        clock.advance(60 + 299)
        server.reply = .unavailable("cannot connect")
        #expect(ask(cache, lookup("alice")) == (.found("from the server"), .stale))
        #expect(log.text().contains("warning: the server cannot answer (cannot connect); answering from cached answers up to 300 s past their expiry"))
        // Logged once, not per stale answer.
        _ = ask(cache, lookup("alice"))
        #expect(!log.text().contains("warning"))
        // Past the stale time: an error, as without a cache.
        clock.advance(1)
        #expect(ask(cache, lookup("alice")) == (.error("cannot connect"), .miss))
        // The server is back: fresh again, and said so once.
        server.reply = .answered(.found("back"))
        #expect(ask(cache, lookup("alice")) == (.found("back"), .miss))
        #expect(log.text().contains("info: the server answers again"))
    }

    @Test func aKeyNeverAnsweredIsAnErrorWhileTheServerIsDown() {
        let cache = cache(ttl: 60, stale: 300)
        server.reply = .unavailable("cannot connect")
        #expect(ask(cache, lookup("stranger")) == (.error("cannot connect"), .miss))
    }

    @Test func withoutStaleTTLAnOutageIsAnError() {
        let cache = cache(ttl: 60, stale: 0)
        _ = ask(cache, lookup("alice"))
        clock.advance(61)
        server.reply = .unavailable("cannot connect")
        #expect(ask(cache, lookup("alice")) == (.error("cannot connect"), .miss))
    }

    @Test func notFoundIsServedStaleToo() {
        let cache = cache(ttl: 60, stale: 300)
        server.reply = .answered(.notFound)
        _ = ask(cache, lookup("nobody"))
        clock.advance(100)
        server.reply = .unavailable("cannot connect")
        #expect(ask(cache, lookup("nobody")) == (.notFound, .stale))
    }

    @Test func neverMoreThanCacheSizeEntriesLeastRecentlyUsedFirst() {
        let cache = cache(ttl: 60, stale: 300, size: 3)
        for key in ["a", "b", "c"] { _ = ask(cache, lookup(key)) }
        // "a" is used again, so "b" is now the least recently used.
        _ = ask(cache, lookup("a"))
        _ = ask(cache, lookup("d"))
        #expect(cache.count == 3)
        server.reply = .unavailable("down")
        clock.advance(61)
        #expect(ask(cache, lookup("b")).0 == .error("down"))
        for key in ["a", "c", "d"] { #expect(ask(cache, lookup(key)).1 == .stale, "\(key)") }
    }

    @Test func aNewAnswerReplacesTheOldOneForTheSameKey() {
        let cache = cache(ttl: 60, size: 2)
        _ = ask(cache, lookup("a"))
        clock.advance(61)
        server.reply = .answered(.found("newer"))
        _ = ask(cache, lookup("a"))
        #expect(cache.count == 1)
        #expect(ask(cache, lookup("a")) == (.found("newer"), .hit))
    }

    @Test func settingsAreReadAndCheckedWithTheirLines() throws {
        func settings(_ text: String) throws -> (CacheSettings, [ConfigProblem]) {
            var reader = ConfigReader(try ConfigFile.parse(Array(text.utf8), path: "t.conf"), keywords: CacheSettings.keywords)
            let settings = CacheSettings(&reader)
            return (settings, reader.problems)
        }
        let (off, none) = try settings("")
        #expect(!off.isEnabled && none.isEmpty)
        let (on, fine) = try settings("cache_ttl 60\ncache_stale_ttl 600\n")
        #expect(on == CacheSettings(ttl: 60, negativeTTL: 60, staleTTL: 600, size: 10_000) && fine.isEmpty)
        #expect(on.description == "cache: found answers kept 60 s, not-found 60 s, served up to 600 s past expiry while the server cannot answer, at most 10000 entries")
        let (_, orphan) = try settings("cache_stale_ttl 600\n")
        #expect(orphan.map(\.description) == ["t.conf:1: \"cache_stale_ttl\" has no effect without \"cache_ttl\" (the cache is off)"])
        let (_, bad) = try settings("cache_ttl 60\ncache_size 0\n")
        #expect(bad.map(\.description) == ["t.conf:2: \"cache_size\" must be a whole number from 1 to 10000000, not \"0\""])
    }
}
