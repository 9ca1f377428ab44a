/// What one worker keeps between requests: its connection, the configuration that
/// connection was made for, and the memory its replies are built in.
///
/// What the request path reads per request is held as plain values (the generation's number
/// and `served` mask) so that it takes no reference counting; `generation` is only read
/// for the text of a refusal.
struct ConnectionSlot {
    /// The configuration `connection` belongs to; nil before the first request.
    var generation: Generation?
    var generationNumber = -1
    var served: UInt64 = 0
    var cache: AnswerCache?
    var connection: RecoveringConnection?
    /// Where replies on this slot are built: room for the longest (about 2.3 KB).
    let replyBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)

    /// Takes a (new) configuration: a connection made for the old one no longer applies.
    mutating func adopt(_ generation: Generation) {
        self.generation = generation
        generationNumber = generation.number
        served = generation.served
        cache = generation.cache
        connection = RecoveringConnection(backend: generation.backend, timeout: generation.requestTimeout)
    }
}

/// The server's connection slots, one per worker: worker `i` uses slot `i`, and the reader
/// slot 0 when no request is in flight (so worker 0 is between requests).
///
/// Not a pool threads take from and give back to: that costs a lock and two copies of the
/// connection state per request (640 instructions per table-socketmap lookup). Who uses a
/// slot when is fixed instead, and the hand-overs already order the accesses: the reader
/// queues a request (a mutex) after it last used slot 0, and reads `inFlight` (acquiring)
/// as 0 only after every worker released its slot (releasing). That ordering is why this
/// is `@unchecked Sendable`.
final class ConnectionSlots: @unchecked Sendable {
    let count: Int
    private let slots: UnsafeMutablePointer<ConnectionSlot>

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        for index in 0..<count { (slots + index).initialize(to: ConnectionSlot()) }
    }

    deinit {
        for index in 0..<count { slots[index].replyBuffer.deallocate() }
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    subscript(slot: Int) -> ConnectionSlot {
        get { slots[slot] }
        _modify { yield &slots[slot] }
    }
}
