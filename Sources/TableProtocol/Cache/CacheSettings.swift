/// The answer cache's keywords, the same in every backend that reads a config file:
///
///     cache_ttl SECONDS            how long a found answer is served without asking the server
///     cache_negative_ttl SECONDS   the same for not-found (default: cache_ttl)
///     cache_stale_ttl SECONDS      how long past its expiry an entry may still answer while
///                                  the server cannot (default 0: never)
///     cache_size ENTRIES           at most this many entries, least recently used evicted
///                                  first (default 10,000)
///
/// No `cache_ttl` (or 0) means no cache, and then nothing about the table changes.
package struct CacheSettings: Sendable, Equatable, CustomStringConvertible {
    package var ttl: Int
    package var negativeTTL: Int
    package var staleTTL: Int
    package var size: Int

    package static let keywords = ["cache_ttl", "cache_negative_ttl", "cache_stale_ttl", "cache_size"]
    package static let defaultSize = 10_000
    /// A day: longer is surely a typo, and a mail server should not answer from memory for
    /// longer than that after a user was removed.
    static let longestTTL = 86_400

    /// No cache.
    package static let off = CacheSettings(ttl: 0, negativeTTL: 0, staleTTL: 0, size: defaultSize)

    package init(ttl: Int, negativeTTL: Int, staleTTL: Int, size: Int) {
        self.ttl = ttl
        self.negativeTTL = negativeTTL
        self.staleTTL = staleTTL
        self.size = size
    }

    /// Reads the keywords; a problem (a bad number, a cache keyword without `cache_ttl`)
    /// goes to the reader with its line.
    package init(_ reader: inout ConfigReader) {
        let range = 0...Self.longestTTL
        ttl = reader.integer("cache_ttl", default: 0, in: range)
        negativeTTL = reader.integer("cache_negative_ttl", default: ttl, in: range)
        staleTTL = reader.integer("cache_stale_ttl", default: 0, in: range)
        size = reader.integer("cache_size", default: Self.defaultSize, in: 1...10_000_000)
        if ttl == 0 {
            for keyword in Self.keywords.dropFirst() where reader.entry(keyword) != nil {
                reader.report(key: keyword, "\"\(keyword)\" has no effect without \"cache_ttl\" (the cache is off)")
            }
        }
    }

    package var isEnabled: Bool { ttl > 0 }

    /// What `table-NAME -n` prints about the cache.
    package var description: String {
        guard isEnabled else { return "cache: off" }
        let stale = staleTTL > 0
            ? "served up to \(staleTTL) s past expiry while the server cannot answer"
            : "never served past expiry"
        return "cache: found answers kept \(ttl) s, not-found \(negativeTTL) s, \(stale), at most \(size) entries"
    }
}
