import Synchronization

/// How an answer came about, for the `-v` log line.
package enum CacheUse: Sendable, Equatable {
    /// From the cache, within its time to live: the server was not asked.
    case hit
    /// From the server (and filed, unless it was an error).
    case miss
    /// From an expired entry, because the server could not answer.
    case stale
}

/// Answers a table gave, kept for `cache_ttl` seconds so that repeated lookups (smtpd asks
/// for a recipient's userinfo twice per delivery, a domain twice per recipient) take no
/// round trip, and served for `cache_stale_ttl` seconds past that while the server cannot
/// answer, so that a database restart, a failover or a network blip does not turn every
/// recipient seen before into a temporary failure.
///
/// What it never does: cache `auth` (its key holds a password, and a changed password must
/// take effect at once) or `fetch` (which already rotates through a cached list); cache an
/// error; answer not-found for a key it has not seen (while the server is down that is an
/// error, as without a cache, never a bounce). One cache per loaded configuration: `update`
/// starts an empty one.
final class AnswerCache: Sendable {
    let settings: CacheSettings
    private let store: Locked<CacheStore>
    /// Monotonic seconds; a parameter so that tests can move time.
    private let now: @Sendable () -> Double
    /// Whether the last answer that needed the server came from a stale entry: the warning
    /// is logged when this turns true, the all-clear when it turns false again.
    private let servingStale = Atomic<Bool>(false)

    init(_ settings: CacheSettings, clock: @escaping @Sendable () -> Double = monotonicSeconds) {
        self.settings = settings
        self.store = Locked(CacheStore(capacity: settings.size))
        self.now = clock
    }

    /// Whether the cache may answer a request at all.
    static func isCacheable(_ request: Request) -> Bool {
        (request.operation == .check || request.operation == .lookup) && request.service != .auth
    }

    /// How many entries the cache holds.
    var count: Int { store.withLock { $0.count } }

    /// Answers from the cache while the entry is fresh; otherwise asks the server (`ask`,
    /// the slot's connection), files what it answers, and falls back to an entry that
    /// expired less than `cache_stale_ttl` ago when the server could not answer.
    func answer(_ request: Request, logger: Logger, ask: () -> Attempt) -> (Answer, CacheUse) {
        let key = CacheKey(request)
        let cached = store.withLock { $0.entry(key) }
        if let cached, now() - cached.storedAt < lifetime(of: cached.value) {
            return (Self.answer(cached.value), .hit)
        }
        switch ask() {
        case .answered(let answer):
            if servingStale.exchange(false, ordering: .relaxed) {
                logger.info("the server answers again; cached answers are no longer served past their expiry")
            }
            switch answer {
            case .found(let value): store.withLock { $0.store(request, value: value, at: now()) }
            case .notFound: store.withLock { $0.store(request, value: nil, at: now()) }
            case .error: break
            }
            return (answer, .miss)
        case .unavailable(let message):
            guard let cached, settings.staleTTL > 0,
                  now() - cached.storedAt < lifetime(of: cached.value) + Double(settings.staleTTL)
            else {
                return (.error(message), .miss)
            }
            if !servingStale.exchange(true, ordering: .relaxed) {
                logger.warning("the server cannot answer (\(message)); answering from cached answers up to \(settings.staleTTL) s past their expiry")
            }
            return (Self.answer(cached.value), .stale)
        }
    }

    /// How long an answer is fresh: `cache_ttl` when found, `cache_negative_ttl` when not.
    private func lifetime(of value: [UInt8]?) -> Double {
        Double(value == nil ? settings.negativeTTL : settings.ttl)
    }

    private static func answer(_ value: [UInt8]?) -> Answer {
        value.map { .found($0) } ?? .notFound
    }
}
