#if canImport(Glibc)
import Glibc
#endif

/// A FIFO that worker threads block on, closed once at end of input.
///
/// It needs a condition variable, which waits on the mutex it is used with, so it owns both
/// (the same pthread mutex `Locked` wraps) instead of holding a `Locked` value.
/// `@unchecked Sendable`: `items`, `head` and `closed` are only touched with `mutex` held.
package final class BlockingQueue<Element>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var items: [Element] = []
    private var head = 0
    private var closed = false

    package init() {
        Self.check(pthread_mutex_init(mutex, nil), "pthread_mutex_init")
        Self.check(pthread_cond_init(condition, nil), "pthread_cond_init")
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// The pthread calls fail only on misuse (an uninitialized or foreign mutex), which
    /// would be a bug here: stop rather than go on with a queue that no longer excludes.
    private static func check(_ status: Int32, _ function: StaticString) {
        precondition(status == 0, "\(function) failed: \(status)")
    }

    private func lock() { Self.check(pthread_mutex_lock(mutex), "pthread_mutex_lock") }
    private func unlock() { Self.check(pthread_mutex_unlock(mutex), "pthread_mutex_unlock") }

    package func push(_ item: Element) {
        lock()
        items.append(item)
        unlock()
        Self.check(pthread_cond_signal(condition), "pthread_cond_signal")
    }

    /// Blocks until an item is there; nil once the queue is closed and drained.
    package func pop() -> Element? {
        lock()
        defer { unlock() }
        while head == items.count && !closed {
            Self.check(pthread_cond_wait(condition, mutex), "pthread_cond_wait")
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

    package func close() {
        lock()
        closed = true
        unlock()
        Self.check(pthread_cond_broadcast(condition), "pthread_cond_broadcast")
    }
}
