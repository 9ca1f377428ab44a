#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a pthread mutex: the lock lives with what it protects.
///
/// The server's one lock type. Not Synchronization's `Mutex`: on Linux that spins before it
/// sleeps, and when the threads that contend share a core (as the benchmark pins them, and
/// as a busy mail host schedules them) a waiter spins away the time slice its lock's holder
/// needs: table-sqlite answers 26,500 pipelined lookups a second with `Mutex` guarding the
/// reply writer and 45,000-56,000 with this (`scripts/bench-compare.sh sqlite`, window 16).
///
/// The value lives in memory of its own rather than in a stored property: an `inout` access
/// to a class property is tracked by Swift's exclusivity checks, which ThreadSanitizer
/// reported as a race for a `Void` value, whose (empty) access the compiler may place
/// outside the lock. `@unchecked Sendable`: `value` is only touched with `mutex` held.
package final class Locked<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let value = UnsafeMutablePointer<Value>.allocate(capacity: 1)

    package init(_ value: Value) {
        self.value.initialize(to: value)
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    /// Runs `body` with the value, the mutex held. The pthread calls fail only on misuse
    /// (a lock already held by this thread, a destroyed one): a bug, so they stop the
    /// program rather than go on without exclusion.
    package func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        let locked = pthread_mutex_lock(mutex)
        precondition(locked == 0, "pthread_mutex_lock failed: \(locked)")
        defer {
            let unlocked = pthread_mutex_unlock(mutex)
            precondition(unlocked == 0, "pthread_mutex_unlock failed: \(unlocked)")
        }
        return try body(&value.pointee)
    }
}
