#if canImport(Glibc)
import Glibc
#endif

/// A POSIX thread running one closure. The server's reader and workers are plain threads so
/// that blocking C calls (libpq, libmariadb, libldap, hiredis, SQLite) never run on Swift's
/// cooperative pool, where they would starve every other task.
///
/// `@unchecked Sendable`: `thread` is written once by `start()` and read by `join()`, both
/// called by the thread that made the worker, in that order.
package final class WorkerThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: () -> Void

    package init(_ body: @escaping () -> Void) {
        self.body = body
    }

    package func start() {
        let box = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(&thread, nil, { argument in
            let worker = Unmanaged<WorkerThread>.fromOpaque(argument!).takeRetainedValue()
            worker.body()
            return nil
        }, box)
        precondition(status == 0, "pthread_create failed: \(status)")
    }

    package func join() {
        let status = pthread_join(thread, nil)
        precondition(status == 0, "pthread_join failed: \(status)")
    }
}
