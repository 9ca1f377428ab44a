#if canImport(Glibc)
import Glibc
#endif

/// What the cache files an answer under: the operation, the service and the key, as smtpd
/// sent them. A check and a lookup of the same key are separate entries (their answers
/// differ in form).
///
/// The key's bytes are the start of `storage`; a filed entry keeps its answer's value right
/// after them, so that each entry is one allocation (shared by the entry and the index).
struct CacheKey: Hashable, Sendable {
    var operation: Operation
    var service: Service
    var keyLength: Int32
    var storage: [UInt8]

    /// The key of a request, to look it up (no copy of the key).
    init(_ request: Request) {
        operation = request.operation
        service = request.service
        storage = request.key
        keyLength = Int32(request.key.count)
    }

    /// The key of `request` with `value` after it, to file.
    init(_ request: Request, value: [UInt8]) {
        operation = request.operation
        service = request.service
        keyLength = Int32(request.key.count)
        storage = request.key + value
    }

    /// The value filed after the key.
    var value: [UInt8] { Array(storage[Int(keyLength)...]) }

    /// Equal keys: the values after them do not count.
    static func == (a: CacheKey, b: CacheKey) -> Bool {
        guard a.operation == b.operation, a.service == b.service, a.keyLength == b.keyLength else { return false }
        let length = Int(a.keyLength)
        guard length > 0 else { return true }
        return a.storage.withUnsafeBytes { x in
            b.storage.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, length) == 0 }
        }
    }

    /// The key hashed as one block of bytes (`[UInt8]` itself is hashed a byte at a time).
    func hash(into hasher: inout Hasher) {
        hasher.combine(operation.ordinal &* 16 &+ service.ordinal)
        storage.withUnsafeBytes { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0[..<Int(keyLength)])) }
    }
}

/// The cached answers, at most `capacity` of them, least recently used evicted first.
///
/// Entries live in one array and are chained from newest to oldest by index, so a hit
/// moves an entry to the front without allocating, and a full cache reuses the oldest
/// entry's place for the new one. Each entry is one allocation (its key and value,
/// `CacheKey.storage`) plus its place in the array and the index: about 290 bytes for a
/// 20-byte key and a 100-byte value, measured with 100,000 entries
/// (`scripts/bench-cache.sh memory`).
struct CacheStore {
    struct Entry {
        var key: CacheKey
        /// Found (the value follows the key in `key.storage`; empty for a check) or not.
        var found: Bool
        /// When the server gave this answer (monotonic seconds).
        var storedAt: Double
        var newer: Int32
        var older: Int32
    }

    let capacity: Int
    private var entries: [Entry] = []
    private var positions: [CacheKey: Int32] = [:]
    private var newest: Int32 = -1
    private var oldest: Int32 = -1

    init(capacity: Int) {
        self.capacity = max(1, min(capacity, Int(Int32.max)))
    }

    var count: Int { entries.count }

    /// The answer filed for `key` (nil value: not-found) and when, made the most recently
    /// used.
    mutating func entry(_ key: CacheKey) -> (value: [UInt8]?, storedAt: Double)? {
        guard let position = positions[key] else { return nil }
        moveToFront(position)
        let entry = entries[Int(position)]
        return (entry.found ? entry.key.value : nil, entry.storedAt)
    }

    /// Files an answer (replacing any older one for the key), evicting the least recently
    /// used entry when the cache is full.
    mutating func store(_ request: Request, value: [UInt8]?, at time: Double) {
        let key = CacheKey(request, value: value ?? [])
        let entry = Entry(key: key, found: value != nil, storedAt: time, newer: -1, older: -1)
        if let position = positions[key] {
            // The index keeps its own copy of the key: replaced too, so that it does not
            // hold on to the old value.
            positions[key] = nil
            positions[key] = position
            entries[Int(position)] = entry
            moveToFront(position)
            return
        }
        let position: Int32
        if entries.count < capacity {
            position = Int32(entries.count)
            entries.append(entry)
            link(position)
        } else {
            position = oldest
            unlink(position)
            positions[entries[Int(position)].key] = nil
            entries[Int(position)] = entry
            link(position)
        }
        positions[key] = position
    }

    private mutating func moveToFront(_ position: Int32) {
        guard position != newest else { return }
        unlink(position)
        link(position)
    }

    /// Puts an entry that is in no chain at the front.
    private mutating func link(_ position: Int32) {
        entries[Int(position)].older = newest
        entries[Int(position)].newer = -1
        if newest >= 0 { entries[Int(newest)].newer = position }
        newest = position
        if oldest < 0 { oldest = position }
    }

    private mutating func unlink(_ position: Int32) {
        let newer = entries[Int(position)].newer, older = entries[Int(position)].older
        if newer >= 0 { entries[Int(newer)].older = older } else { newest = older }
        if older >= 0 { entries[Int(older)].newer = newer } else { oldest = newer }
    }
}
