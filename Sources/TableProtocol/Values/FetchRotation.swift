
/// The `fetch source` cache of the SQL backends (`fetch_source`, `fetch_source_expire`,
/// `fetch_source_refresh`), with upstream's rotation: the addresses are kept as a sorted set
/// (byte order, duplicates merged), each fetch returns the next one and wraps around, and the
/// set is reloaded, restarting from the smallest, after `refresh` calls or `expire` seconds.
///
/// One cache per process, shared by every worker; a failed reload throws, keeping the
/// previous set and counters, so the next fetch tries again.
package final class FetchRotation: Sendable {
    struct State {
        var addresses: [[UInt8]] = []
        var cursor = -1
        var calls = 0
        var loadedAt: Double? = nil
    }

    package let expire: Int
    package let refresh: Int
    private let state = Locked(State())

    package init(expire: Int, refresh: Int) {
        self.expire = expire
        self.refresh = refresh
    }

    /// The next address; `load` runs the fetch query (on the caller's connection) when the
    /// cache needs refilling, and what it throws is thrown on.
    package func next(load: () throws(TableError) -> [[UInt8]]) throws(TableError) -> Answer {
        try state.withLock { (state) throws(TableError) -> Answer in
            let now = monotonicSeconds()
            if state.loadedAt == nil || state.calls >= refresh || now - state.loadedAt! >= Double(expire) {
                let rows = try load()
                state.addresses = Array(Set(rows.filter { !$0.isEmpty })).sorted { $0.lexicographicallyPrecedes($1) }
                state.cursor = -1
                state.calls = 0
                state.loadedAt = now
            }
            state.calls += 1
            guard !state.addresses.isEmpty else { return .notFound }
            state.cursor = (state.cursor + 1) % state.addresses.count
            return .found(state.addresses[state.cursor])
        }
    }
}
