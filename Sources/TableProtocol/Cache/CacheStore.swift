/// What the cache files an answer under: the operation, the service and the key, as smtpd
/// sent them. A check and a lookup of the same key are separate entries (their answers
/// differ in form).
struct CacheKey: Hashable, Sendable {
    var operation: Operation
    var service: Service
    var key: [UInt8]

    init(_ request: Request) {
        operation = request.operation
        service = request.service
        key = request.key
    }

    static func == (a: CacheKey, b: CacheKey) -> Bool {
        a.operation == b.operation && a.service == b.service && a.key == b.key
    }

    /// The key hashed as one block of bytes (`[UInt8]` itself is hashed a byte at a time).
    func hash(into hasher: inout Hasher) {
        hasher.combine(operation.ordinal &* 16 &+ service.ordinal)
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// The cached answers, at most `capacity` of them, least recently used evicted first.
///
/// Entries live in one array and are chained from newest to oldest by index, so a hit
/// moves an entry to the front without allocating, and a full cache reuses the oldest
/// entry's place for the new one.
struct CacheStore {
    struct Entry {
        var key: CacheKey
        /// The found value (for a check, empty), or nil for not-found.
        var value: [UInt8]?
        /// When the server gave this answer (monotonic seconds).
        var storedAt: Double
        var newer: Int
        var older: Int
    }

    let capacity: Int
    private var entries: [Entry] = []
    private var positions: [CacheKey: Int] = [:]
    private var newest = -1
    private var oldest = -1

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { entries.count }

    /// The entry for `key`, made the most recently used.
    mutating func entry(_ key: CacheKey) -> (value: [UInt8]?, storedAt: Double)? {
        guard let position = positions[key] else { return nil }
        moveToFront(position)
        return (entries[position].value, entries[position].storedAt)
    }

    /// Files an answer (replacing any older one for the key), evicting the least recently
    /// used entry when the cache is full.
    mutating func store(_ key: CacheKey, value: [UInt8]?, at time: Double) {
        if let position = positions[key] {
            entries[position].value = value
            entries[position].storedAt = time
            moveToFront(position)
            return
        }
        let position: Int
        if entries.count < capacity {
            position = entries.count
            entries.append(Entry(key: key, value: value, storedAt: time, newer: -1, older: -1))
            link(position)
        } else {
            position = oldest
            unlink(position)
            positions[entries[position].key] = nil
            entries[position] = Entry(key: key, value: value, storedAt: time, newer: -1, older: -1)
            link(position)
        }
        positions[key] = position
    }

    private mutating func moveToFront(_ position: Int) {
        guard position != newest else { return }
        unlink(position)
        link(position)
    }

    /// Puts an entry that is in no chain at the front.
    private mutating func link(_ position: Int) {
        entries[position].older = newest
        entries[position].newer = -1
        if newest >= 0 { entries[newest].newer = position }
        newest = position
        if oldest < 0 { oldest = position }
    }

    private mutating func unlink(_ position: Int) {
        let newer = entries[position].newer, older = entries[position].older
        if newer >= 0 { entries[newer].older = older } else { newest = older }
        if older >= 0 { entries[older].newer = newer } else { oldest = newer }
    }
}
