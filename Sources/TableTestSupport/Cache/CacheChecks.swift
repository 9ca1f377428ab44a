#if canImport(Testing)
import Testing
import TableDriver
#if canImport(Glibc)
import Glibc
#endif

/// The checks of CacheChecks by name, for one parameterized test per backend:
/// `@Test(arguments: Fixture.cacheChecks)`.
package enum CacheCheck: Sendable, Hashable, CustomStringConvertible {
    case servedFromTheCache(during: Outage)
    case expiredEntriesPickUpAChangedRow, updateEmptiesTheCache, authIsNeverAnsweredFromTheCache
    case neverMoreThanCacheSizeEntries

    /// Every check but the outages (the fixture lists those it can make).
    static let others: [CacheCheck] = [.expiredEntriesPickUpAChangedRow, .updateEmptiesTheCache,
                                       .authIsNeverAnsweredFromTheCache, .neverMoreThanCacheSizeEntries]

    package var description: String {
        switch self {
        case .servedFromTheCache(let outage): "servedFromTheCache(during: .\(outage.rawValue))"
        case .expiredEntriesPickUpAChangedRow: "expiredEntriesPickUpAChangedRow"
        case .updateEmptiesTheCache: "updateEmptiesTheCache"
        case .authIsNeverAnsweredFromTheCache: "authIsNeverAnsweredFromTheCache"
        case .neverMoreThanCacheSizeEntries: "neverMoreThanCacheSizeEntries"
        }
    }

    package func run<Fixture: CacheFixture>(on fixture: Fixture.Type) throws {
        typealias Checks = CacheChecks<Fixture>
        switch self {
        case .servedFromTheCache(let outage): try Checks.servedFromTheCache(during: outage)
        case .expiredEntriesPickUpAChangedRow: try Checks.expiredEntriesPickUpAChangedRow()
        case .updateEmptiesTheCache: try Checks.updateEmptiesTheCache()
        case .authIsNeverAnsweredFromTheCache: try Checks.authIsNeverAnsweredFromTheCache()
        case .neverMoreThanCacheSizeEntries: try Checks.neverMoreThanCacheSizeEntries()
        }
    }
}

/// The answer cache against each backend's real server (issue 13, item 3): answers given
/// before an outage bridge it, keys never asked before do not, answers are fresh again
/// within 2 s of the server's return, entries expire, `update` empties the cache, `auth`
/// is never cached, and the cache keeps at most `cache_size` entries. Everything is seen
/// from outside, as smtpd sees it: the replies, their times, and the `-v` log lines
/// (`(cache hit)`, `(cache miss)`, `(cache stale)`).
///
/// Where an answer must come from the cache, the server holds another value by then, so a
/// reply from the server could not pass for one from the cache.
package enum CacheChecks<Fixture: CacheFixture> {
    /// Entries fresh for a second, then served for a minute more while the server cannot
    /// answer: long enough for any outage to begin.
    static var bridging: String { "cache_ttl \(Int(ttl))\ncache_stale_ttl 60\n" }
    static var ttl: Double { 1 }

    /// The keys: answered before the outage, never asked, not in the table.
    static var seen: String { "seen@cache.test" }
    static var unseen: String { "unseen@cache.test" }
    static var absent: String { "absent@cache.test" }

    /// Keys answered before an outage answer from the cache during it (stopped: at once;
    /// frozen or locked: within the timeout + 1 s; killed sessions: from the cache or, as
    /// the server answers a new session, afresh), keys never asked answer `error`, and
    /// answers are fresh again within 2 s of the server's return. A table without cache
    /// keywords beside it answers as tables always did: `error`.
    package static func servedFromTheCache(during outage: Outage) throws {
        let fixture = try Fixture.make()
        defer { fixture.cleanUp() }
        var rows = Rows(fixture)
        try rows.set(seen, "before")
        try rows.set(unseen, "present")
        let uncached = try Session.start(fixture, cache: "", name: "uncached")
        let cached = try Session.start(fixture, cache: bridging, name: "cached")
        for session in [uncached, cached] {
            #expect(try session.ask("lookup", seen).reply == "found|before")
            #expect(try session.ask("check", seen).reply == "found")
            #expect(try session.ask("lookup", absent).reply == "not-found")
        }
        let filed = monotonicNow()
        try rows.set(seen, "after")
        // Every entry expires a second after it was filed: wait until they surely have.
        sleep(until: filed + ttl + 0.1)

        let bound = outage.bound(timeout: Fixture.timeout)
        try during(outage, of: fixture) {
            if outage.serverAnswers {
                // A new session answers: afresh, or from the cache.
                let answer = try cached.ask("lookup", seen, within: bound)
                #expect(answer.reply == "found|after" || answer.reply == "found|before", "\(answer)")
                #expect(try cached.ask("check", seen, within: bound).reply == "found")
                #expect(try cached.ask("lookup", absent, within: bound).reply == "not-found")
                #expect(try cached.ask("lookup", unseen, within: bound).reply == "found|present")
                #expect(try uncached.ask("lookup", seen, within: bound).reply == "found|after")
                return
            }
            // "before": the server now holds "after", so only the cache can answer this.
            let answer = try cached.ask("lookup", seen, within: bound)
            #expect(answer.reply == "found|before", "\(answer)\n\(fixture.log())")
            #expect(try cached.ask("check", seen, within: bound).reply == "found")
            #expect(try cached.ask("lookup", absent, within: bound).reply == "not-found")
            let unknown = try cached.ask("lookup", unseen, within: bound)
            #expect(unknown.reply.hasPrefix("error|"), "a key never asked: \(unknown)")
            let plain = try uncached.ask("lookup", seen, within: bound)
            #expect(plain.reply.hasPrefix("error|"), "without the cache: \(plain)")
            expectLog(fixture, "[cached]: debug: lookup alias \"\(seen)\": found (cache stale)")
            expectLog(fixture, "[cached]: debug: lookup alias \"\(absent)\": not-found (cache stale)")
        }
        // A halted server may come back without its data (Redis): set it again.
        try rows.restore()
        let returned = monotonicNow()
        // Fresh again within 2 s: "before" from the cache meanwhile (the reconnect backoff),
        // never anything else.
        let replies = try cached.askUntil("lookup", seen, answers: "found|after", seconds: 10)
        #expect(replies.last?.reply == "found|after", "\(replies)")
        #expect(replies.allSatisfy { $0.reply == "found|after" || $0.reply == "found|before" }, "\(replies)")
        if let fresh = replies.last, fresh.reply == "found|after" {
            #expect(fresh.ended - returned <= 2, "fresh again \(fresh.ended - returned) s after the server's return")
        }
        // The error was not filed: the key answers now.
        #expect(try cached.ask("lookup", unseen).reply == "found|present")
        let plain = try uncached.askUntil("lookup", seen, answers: "found|after", seconds: 10)
        #expect(plain.last?.reply == "found|after", "\(plain)")
        cached.finish()
        uncached.finish()
        // The table without cache keywords never says a word of a cache.
        #expect(!fixture.log().includesLine { $0.contains("[uncached]") && $0.contains("(cache ") })
    }

    /// An entry answers without the server until it expires (`cache_ttl`; not-found ones
    /// `cache_negative_ttl`, the same by default), then the changed row.
    package static func expiredEntriesPickUpAChangedRow() throws {
        let fixture = try Fixture.make()
        defer { fixture.cleanUp() }
        var rows = Rows(fixture)
        try rows.set(seen, "before")
        let ttl = 2.0
        let session = try Session.start(fixture, cache: "cache_ttl \(Int(ttl))\n", name: "cached")
        let first = try session.ask("lookup", seen)
        let negative = try session.ask("lookup", absent)
        #expect(first.reply == "found|before")
        #expect(negative.reply == "not-found")
        #expect(try session.ask("lookup", seen).reply == "found|before")
        try rows.set(seen, "after")
        try rows.set(absent, "added")
        // Until an entry is surely still fresh the old answer, once it surely expired the
        // new one; in between, either.
        for (key, entry, old, new) in [(seen, first, "found|before", "found|after"), (absent, negative, "not-found", "found|added")] {
            let replies = try session.askUntil("lookup", key, answers: new, seconds: ttl + 5)
            #expect(replies.last?.reply == new, "\(key): \(replies)")
            for reply in replies {
                if reply.ended < entry.started + ttl {
                    #expect(reply.reply == old, "\(key) answered afresh before the entry expired: \(reply)")
                } else if reply.started > entry.ended + ttl {
                    #expect(reply.reply == new, "\(key) answered from an expired entry: \(reply)")
                } else {
                    #expect(reply.reply == old || reply.reply == new, "\(key): \(reply)")
                }
            }
        }
        expectLog(fixture, "lookup alias \"\(seen)\": found (cache miss)")
        expectLog(fixture, "lookup alias \"\(seen)\": found (cache hit)")
        session.finish()
    }

    /// `update` starts with an empty cache: a changed row answers at once, well before
    /// its entry would have expired.
    package static func updateEmptiesTheCache() throws {
        let fixture = try Fixture.make()
        defer { fixture.cleanUp() }
        var rows = Rows(fixture)
        try rows.set(seen, "before")
        // `-n` says what the cache keeps, and nothing without cache keywords.
        try fixture.writeCacheConfig("")
        let plain = try fixture.command(["-n", fixture.config])
        #expect(plain.status == 0 && !plain.stdout.contains("cache"), "\(plain)")
        let session = try Session.start(fixture, cache: "cache_ttl 600\n", name: "cached")
        let configured = try fixture.command(["-n", fixture.config])
        #expect(configured.stdout.hasSuffix("\ncache: found answers kept 600 s, not-found 600 s, never served past expiry, at most 10000 entries\n"),
                "\(configured)")
        #expect(try session.ask("lookup", seen).reply == "found|before")
        try rows.set(seen, "after")
        #expect(try session.ask("lookup", seen).reply == "found|before")
        #expect(try session.table.request("update", timeout: Fixture.timeout + 5) == "ok")
        #expect(try session.ask("lookup", seen).reply == "found|after")
        session.finish()
        expectLog(fixture, "lookup alias \"\(seen)\": found (cache hit)")
    }

    /// `check auth` always asks the server: a changed password takes effect at once, and
    /// while the server cannot answer, auth is an error, never an earlier answer.
    package static func authIsNeverAnsweredFromTheCache() throws {
        guard let auth = Fixture.auth else { return }
        let fixture = try Fixture.make()
        defer { fixture.cleanUp() }
        let session = try Session.start(fixture, cache: "cache_ttl 600\ncache_stale_ttl 600\n", name: "cached")
        let old = "\(auth.user):\(auth.password)", new = "\(auth.user):\(auth.newPassword)"
        #expect(try session.ask("check", old, service: "auth").reply == "found")
        #expect(try session.ask("check", new, service: "auth").reply == "not-found")
        #expect(try session.ask("check", old, service: "auth").reply == "found")
        try fixture.changePassword()
        #expect(try session.ask("check", old, service: "auth").reply == "not-found")
        #expect(try session.ask("check", new, service: "auth").reply == "found")

        try whileTheServerCannotAnswer(fixture) { bound in
            let answer = try session.ask("check", new, service: "auth", within: bound)
            #expect(answer.reply.hasPrefix("error|"), "auth while the server cannot answer: \(answer)")
        }
        session.finish()
        #expect(!fixture.log().includesLine { $0.contains("auth") && $0.contains("(cache ") })
    }

    /// With `cache_size 2`, three keys answered: the least recently used is gone, so while
    /// the server cannot answer it is an error, and the other two answer from the cache.
    package static func neverMoreThanCacheSizeEntries() throws {
        let fixture = try Fixture.make()
        defer { fixture.cleanUp() }
        var rows = Rows(fixture)
        let keys = ["a@cache.test", "b@cache.test", "c@cache.test"]
        for key in keys { try rows.set(key, "value-\(key.prefix(1))") }
        let session = try Session.start(fixture, cache: bridging + "cache_size 2\n", name: "cached")
        for key in keys {
            #expect(try session.ask("lookup", key).reply == "found|value-\(key.prefix(1))")
        }
        sleep(until: monotonicNow() + ttl + 0.1)
        try whileTheServerCannotAnswer(fixture) { bound in
            #expect(try session.ask("lookup", keys[1], within: bound).reply == "found|value-b")
            #expect(try session.ask("lookup", keys[2], within: bound).reply == "found|value-c")
            let evicted = try session.ask("lookup", keys[0], within: bound)
            #expect(evicted.reply.hasPrefix("error|"), "the evicted entry: \(evicted)")
        }
        session.finish()
    }

    /// Runs `body` during `outage`, and ends it even when `body` throws.
    static func during(_ outage: Outage, of fixture: Fixture, _ body: () throws -> Void) throws {
        try fixture.begin(outage)
        do {
            try body()
        } catch {
            try? fixture.end(outage)
            throw error
        }
        try fixture.end(outage)
    }

    /// Runs `body` during the first outage of the fixture's (one where the server cannot
    /// answer), with the bound of its requests.
    static func whileTheServerCannotAnswer(_ fixture: Fixture, _ body: (_ bound: Double) throws -> Void) throws {
        let outage = try #require(Fixture.outages.first { !$0.serverAnswers })
        try during(outage, of: fixture) { try body(outage.bound(timeout: Fixture.timeout)) }
    }

    /// Waits (up to 2 s: the line is written after the reply) for a line of the table's
    /// log that contains `text`.
    static func expectLog(_ fixture: Fixture, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let deadline = monotonicNow() + 2
        while !fixture.log().contains(text) && monotonicNow() < deadline { usleep(20_000) }
        let log = fixture.log()
        #expect(log.contains(text), "no log line with \(text)\nlog:\n\(log)", sourceLocation: sourceLocation)
    }
}

/// The rows a check set on the server, to set again after a halt that lost them.
struct Rows<Fixture: CacheFixture> {
    let fixture: Fixture
    private var values: [(key: String, value: String?)] = []

    init(_ fixture: Fixture) { self.fixture = fixture }

    mutating func set(_ key: String, _ value: String?) throws {
        try fixture.setAlias(key, to: value)
        values.removeAll { $0.key == key }
        values.append((key, value))
    }

    func restore() throws {
        for (key, value) in values { try fixture.setAlias(key, to: value) }
    }
}

/// One reply and when its request was sent and its reply read (monotonic seconds).
struct TimedReply: CustomStringConvertible {
    var reply: String
    var started: Double
    var ended: Double
    var description: String { "\"\(reply)\" in \(Double(Int((ended - started) * 1000)) / 1000) s" }
}

/// A table started at `-v` on the fixture's config, under a name of its own in the log.
struct Session {
    let table: TableProcess
    /// The table's stderr so far, for failure messages.
    let log: () -> String

    /// Writes the config with `cache` and starts the table on it; the handshake is done
    /// (the table has read its config) before this returns, so the config can be rewritten.
    static func start<Fixture: CacheFixture>(_ fixture: Fixture, cache: String, name: String) throws -> Session {
        try fixture.writeCacheConfig(cache)
        let table = try fixture.start(tableName: name, arguments: ["-v", fixture.config])
        do {
            _ = try table.handshake()
        } catch {
            throw DriverError("handshake: \(error)\nlog:\n\(fixture.log())")
        }
        return Session(table: table, log: fixture.log)
    }

    /// One request for `key` (alias unless said), its reply within `bound` seconds if given.
    func ask(_ operation: String, _ key: String, service: String = "alias", within bound: Double? = nil,
             sourceLocation: SourceLocation = #_sourceLocation) throws -> TimedReply {
        let started = monotonicNow()
        let reply: String
        do {
            reply = try table.request(operation, service, key: key, timeout: (bound ?? 10) + 10)
        } catch {
            throw DriverError("\(operation) \(service) \(key): \(error)\nlog:\n\(log())")
        }
        let answer = TimedReply(reply: reply, started: started, ended: monotonicNow())
        if let bound {
            #expect(answer.ended - answer.started < bound, "\(operation) \(key): \(answer), more than \(bound) s",
                    sourceLocation: sourceLocation)
        }
        return answer
    }

    /// Asks every 50 ms until the reply is `expected` or `seconds` pass; every reply.
    func askUntil(_ operation: String, _ key: String, answers expected: String, seconds: Double) throws -> [TimedReply] {
        let deadline = monotonicNow() + seconds
        var replies: [TimedReply] = []
        repeat {
            let answer = try ask(operation, key)
            replies.append(answer)
            if answer.reply == expected { break }
            usleep(50_000)
        } while monotonicNow() < deadline
        return replies
    }

    /// End of input: the table exits 0.
    func finish(sourceLocation: SourceLocation = #_sourceLocation) {
        table.closeInput()
        #expect(table.wait() == 0, sourceLocation: sourceLocation)
    }
}

/// Sleeps until the monotonic clock reads `time`.
func sleep(until time: Double) {
    let left = time - monotonicNow()
    if left > 0 { usleep(UInt32(left * 1_000_000)) }
}

extension String {
    /// Whether a line of this text satisfies `predicate`.
    func includesLine(where predicate: (Substring) -> Bool) -> Bool {
        split(separator: "\n").contains(where: predicate)
    }
}
#endif
