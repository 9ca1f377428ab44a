/// What one worker keeps between requests: its connection, and the configuration that
/// connection was made for.
struct ConnectionSlot {
    /// The configuration `connection` belongs to; nil before the first request.
    var generation: Generation?
    var connection = RecoveringConnection()
}

/// The server's connection slots, one per worker: worker `i` uses slot `i`, and the reader
/// slot 0 when no request is in flight (so worker 0 is between requests).
///
/// Not a pool threads take from and give back to: that cost a lock and two copies of the
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
        slots.initialize(repeating: ConnectionSlot(), count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    subscript(slot: Int) -> ConnectionSlot {
        get { slots[slot] }
        _modify { yield &slots[slot] }
    }
}
