#if canImport(Glibc)
import Glibc
#endif

/// A POSIX thread running one closure. The server's reader and workers are plain threads so
/// that blocking C calls never run on (and starve) Swift's cooperative pool.
public final class WorkerThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: () -> Void

    public init(_ body: @escaping () -> Void) {
        self.body = body
    }

    public func start() {
        let box = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(&thread, nil, { argument in
            let worker = Unmanaged<WorkerThread>.fromOpaque(argument!).takeRetainedValue()
            worker.body()
            return nil
        }, box)
        precondition(status == 0, "pthread_create failed: \(status)")
    }

    public func join() {
        pthread_join(thread, nil)
    }
}

/// A FIFO that worker threads block on, closed once at end of input.
public final class BlockingQueue<Element>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var items: [Element] = []
    private var head = 0
    private var closed = false

    public init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func push(_ item: Element) {
        pthread_mutex_lock(mutex)
        items.append(item)
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(condition)
    }

    /// Blocks until an item is there; nil once the queue is closed and drained.
    public func pop() -> Element? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while head == items.count && !closed {
            pthread_cond_wait(condition, mutex)
        }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 256 && head * 2 >= items.count {
            // Under steady pipelining the queue may never drain: drop the consumed front
            // now and then, or the array grows with every request ever received.
            items.removeFirst(head)
            head = 0
        }
        return item
    }

    public func close() {
        pthread_mutex_lock(mutex)
        closed = true
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(condition)
    }
}

/// A mutex for code that must hold it across a blocking call (Synchronization's `Mutex`
/// would do, but its closure API does not fit `throws(E)` well here).
public final class Lock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// A value guarded by a `Lock`: the lock lives with what it protects.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = Lock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<T, E: Error>(_ body: (inout Value) throws(E) -> T) throws(E) -> T {
        try lock.withLock { () throws(E) -> T in try body(&value) }
    }
}

/// Seconds on the monotonic clock, for timeouts, backoff and cache expiry.
public func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
