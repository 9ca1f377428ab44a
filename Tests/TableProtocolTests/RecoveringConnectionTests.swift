import Testing
import Synchronization
@testable import TableProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The one recovery model every backend runs under: lazy connect, one resend of a request
/// whose connection was found closed, no resend after a timeout or on a connection made for
/// the request, the connection kept after a request's own failure, and a backoff after a
/// failed connect.
@Suite struct RecoveringConnectionTests {
    /// A backend whose connections fail as the test scripts them.
    final class ScriptedBackend: TableBackend, @unchecked Sendable {
        /// What each `answer` call does, in order; `.found` once the script runs out.
        var script: [TableError?] = []
        var connectFailure: TableError?
        var connects = 0
        var answers = 0
        var requestTimeout: Double? = 5

        static let name = "scripted"
        init() {}
        init(loading argument: String, logger: Logger) throws(ConfigErrors) {}
        var services: [Service] { [.alias] }
        let concurrency = 1

        func connect(until deadline: Deadline) throws(TableError) -> ScriptedConnection {
            if let connectFailure { throw connectFailure }
            connects += 1
            return ScriptedConnection(backend: self, number: connects)
        }
    }

    final class ScriptedConnection: TableConnection {
        let backend: ScriptedBackend
        let number: Int
        init(backend: ScriptedBackend, number: Int) {
            self.backend = backend
            self.number = number
        }

        func answer(_ request: Request, until deadline: Deadline) throws(TableError) -> Answer {
            backend.answers += 1
            if !backend.script.isEmpty, let failure = backend.script.removeFirst() { throw failure }
            return .found("answer from connection \(number)")
        }
    }

    let request = Request(id: "1", operation: .lookup, service: .alias, key: Array("alice".utf8))

    /// A logger writing to a pipe, and what it wrote.
    final class LogCapture {
        let logger: Logger
        private let readEnd: Int32
        init() {
            var fds: [Int32] = [0, 0]
            pipe(&fds)
            _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
            readEnd = fds[0]
            logger = Logger(program: "table-test", table: "t", fd: fds[1])
        }
        func text() -> String {
            var bytes = [UInt8](repeating: 0, count: 65536)
            let n = read(readEnd, &bytes, bytes.count)
            return n > 0 ? String(decoding: bytes[0..<n], as: UTF8.self) : ""
        }
    }

    @Test func connectsOnTheFirstRequestAndKeepsTheConnection() {
        let backend = ScriptedBackend()
        var connection = RecoveringConnection(backend: backend, timeout: backend.requestTimeout)
        #expect(backend.connects == 0)
        #expect(connection.answer(request, logger: LogCapture().logger) == .found("answer from connection 1"))
        #expect(connection.answer(request, logger: LogCapture().logger) == .found("answer from connection 1"))
        #expect(backend.connects == 1)
    }

    @Test func aRequestFailureKeepsTheConnection() {
        let backend = ScriptedBackend()
        var connection = RecoveringConnection(backend: backend, timeout: backend.requestTimeout)
        let log = LogCapture()
        _ = connection.answer(request, logger: log.logger)
        backend.script = [TableError(.request, "syntax error")]
        #expect(connection.answer(request, logger: log.logger) == .error("syntax error"))
        #expect(connection.answer(request, logger: log.logger) == .found("answer from connection 1"))
        #expect(backend.connects == 1)
    }

    @Test func aClosedConnectionIsReplacedAndTheRequestSentOnceMore() {
        let backend = ScriptedBackend()
        var connection = RecoveringConnection(backend: backend, timeout: backend.requestTimeout)
        let log = LogCapture()
        _ = connection.answer(request, logger: log.logger)
        backend.script = [TableError(.closed, "server closed the connection")]
        #expect(connection.answer(request, logger: log.logger) == .found("answer from connection 2"))
        #expect(backend.answers == 3)
        #expect(log.text().contains("info: connection lost (server closed the connection); connecting again"))
        // The new connection is kept for the next request.
        #expect(connection.answer(request, logger: log.logger) == .found("answer from connection 2"))
    }

    @Test func closedTwiceGivesUpForThisRequest() {
        let backend = ScriptedBackend()
        var connection = RecoveringConnection(backend: backend, timeout: backend.requestTimeout)
        let log = LogCapture()
        _ = connection.answer(request, logger: log.logger)
        backend.script = [TableError(.closed, "gone"), TableError(.closed, "gone again")]
        #expect(connection.answer(request, logger: log.logger) == .error("gone again"))
        #expect(backend.connects == 2)
        // Dropped: the next request connects again.
        #expect(connection.answer(request, logger: log.logger) == .found("answer from connection 3"))
    }

    @Test func aConnectionMadeForTheRequestIsNotRetried() {
        let backend = ScriptedBackend()
        var connection = RecoveringConnection(backend: backend, timeout: backend.requestTimeout)
        backend.script = [TableError(.closed, "closed at once")]
        #expect(connection.answer(request, logger: LogCapture().logger) == .error("closed at once"))
        #expect(backend.connects == 1)
        #expect(backend.answers == 1)
    }

    @Test func aTimeoutDropsTheConnectionWithoutResending() {
        let backend = ScriptedBackend()
        var connection = RecoveringConnection(backend: backend, timeout: backend.requestTimeout)
        let log = LogCapture()
        _ = connection.answer(request, logger: log.logger)
        backend.script = [TableError(.timedOut, "no answer within 5 s")]
        #expect(connection.answer(request, logger: log.logger) == .error("no answer within 5 s"))
        #expect(backend.answers == 2)
        #expect(connection.answer(request, logger: log.logger) == .found("answer from connection 2"))
    }

    @Test func aBrokenConnectionIsDroppedWithoutResending() {
        let backend = ScriptedBackend()
        var connection = RecoveringConnection(backend: backend, timeout: backend.requestTimeout)
        let log = LogCapture()
        _ = connection.answer(request, logger: log.logger)
        backend.script = [TableError(.broken, "two replies")]
        #expect(connection.answer(request, logger: log.logger) == .error("two replies"))
        #expect(backend.answers == 2)
        #expect(backend.connects == 1)
    }

    @Test func noResendOnceHalfTheTimeoutIsGone() {
        let backend = ScriptedBackend()
        // A timeout of 0 s: any failure comes too late for a second attempt.
        var connection = RecoveringConnection(backend: backend, timeout: 0)
        let log = LogCapture()
        _ = connection.answer(request, logger: log.logger)
        backend.script = [TableError(.closed, "gone")]
        #expect(connection.answer(request, logger: log.logger) == .error("gone"))
        #expect(backend.connects == 1)
    }

    @Test func aFailedConnectBacksOffThenRecovers() {
        let backend = ScriptedBackend()
        var connection = RecoveringConnection(backend: backend, timeout: backend.requestTimeout)
        let log = LogCapture()
        backend.connectFailure = TableError(.refused, "cannot connect")
        #expect(connection.answer(request, logger: log.logger) == .error("cannot connect"))
        #expect(log.text().contains("error: cannot connect"))
        // Within the backoff, the same error without a connect attempt.
        backend.connectFailure = TableError(.refused, "would not be tried")
        #expect(connection.answer(request, logger: log.logger) == .error("cannot connect"))
        backend.connectFailure = nil
        usleep(useconds_t(RecoveringConnection.backoff(after: 1) * 1_000_000) + 20_000)
        #expect(connection.answer(request, logger: log.logger) == .found("answer from connection 1"))
        #expect(log.text().contains("info: connected again after 1 failed attempt(s)"))
    }

    @Test func backoffGrowsToOneSecond() {
        #expect(RecoveringConnection.backoff(after: 1) == 0.1)
        #expect(RecoveringConnection.backoff(after: 2) == 0.2)
        #expect(RecoveringConnection.backoff(after: 4) == 0.8)
        #expect(RecoveringConnection.backoff(after: 5) == 1.0)
        #expect(RecoveringConnection.backoff(after: 60) == 1.0)
    }

    @Test func adoptingAConnectionEndsTheBackoff() {
        let backend = ScriptedBackend()
        var connection = RecoveringConnection(backend: backend, timeout: backend.requestTimeout)
        let log = LogCapture()
        backend.connectFailure = TableError(.refused, "down")
        _ = connection.answer(request, logger: log.logger)
        // update connects before it installs a configuration, and hands that connection over.
        connection.adopt(ScriptedConnection(backend: backend, number: 7))
        #expect(connection.answer(request, logger: log.logger) == .found("answer from connection 7"))
    }
}
