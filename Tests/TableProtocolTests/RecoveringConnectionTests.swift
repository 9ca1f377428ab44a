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

    /// A RecoveringConnection over a fresh ScriptedBackend, and the log it writes to: what
    /// each test drives, one request at a time.
    struct Subject {
        let backend = ScriptedBackend()
        let log = LogCapture()
        var connection: RecoveringConnection
        let request = Request(id: "1", operation: .lookup, service: .alias, key: Array("alice".utf8))

        /// `timeout`: the request timeout the connection works within (the backend's 5 s).
        init(timeout: Double? = 5) {
            connection = RecoveringConnection(backend: backend, timeout: timeout)
        }

        /// One whose first request connected: where most tests start.
        static func connected(timeout: Double? = 5) -> Subject {
            var subject = Subject(timeout: timeout)
            _ = subject.ask()
            return subject
        }

        /// Sends the request; the answer the table would give.
        mutating func ask() -> Answer {
            connection.answer(request, logger: log.logger)
        }
    }

    @Test func connectsOnTheFirstRequestAndKeepsTheConnection() {
        var subject = Subject()
        #expect(subject.backend.connects == 0)
        #expect(subject.ask() == .found("answer from connection 1"))
        #expect(subject.ask() == .found("answer from connection 1"))
        #expect(subject.backend.connects == 1)
    }

    @Test func aRequestFailureKeepsTheConnection() {
        var subject = Subject.connected()
        subject.backend.script = [TableError(.request, "syntax error")]
        #expect(subject.ask() == .error("syntax error"))
        #expect(subject.ask() == .found("answer from connection 1"))
        #expect(subject.backend.connects == 1)
    }

    @Test func aClosedConnectionIsReplacedAndTheRequestSentOnceMore() {
        var subject = Subject.connected()
        subject.backend.script = [TableError(.closed, "server closed the connection")]
        #expect(subject.ask() == .found("answer from connection 2"))
        #expect(subject.backend.answers == 3)
        #expect(subject.log.text().contains("info: connection lost (server closed the connection); connecting again"))
        // The new connection is kept for the next request.
        #expect(subject.ask() == .found("answer from connection 2"))
    }

    @Test func closedTwiceGivesUpForThisRequest() {
        var subject = Subject.connected()
        subject.backend.script = [TableError(.closed, "gone"), TableError(.closed, "gone again")]
        #expect(subject.ask() == .error("gone again"))
        #expect(subject.backend.connects == 2)
        // Dropped: the next request connects again.
        #expect(subject.ask() == .found("answer from connection 3"))
    }

    @Test func aConnectionMadeForTheRequestIsNotRetried() {
        var subject = Subject()
        subject.backend.script = [TableError(.closed, "closed at once")]
        #expect(subject.ask() == .error("closed at once"))
        #expect(subject.backend.connects == 1)
        #expect(subject.backend.answers == 1)
    }

    @Test func aTimeoutDropsTheConnectionWithoutResending() {
        var subject = Subject.connected()
        subject.backend.script = [TableError(.timedOut, "no answer within 5 s")]
        #expect(subject.ask() == .error("no answer within 5 s"))
        #expect(subject.backend.answers == 2)
        #expect(subject.ask() == .found("answer from connection 2"))
    }

    @Test func aBrokenConnectionIsDroppedWithoutResending() {
        var subject = Subject.connected()
        subject.backend.script = [TableError(.broken, "two replies")]
        #expect(subject.ask() == .error("two replies"))
        #expect(subject.backend.answers == 2)
        #expect(subject.backend.connects == 1)
    }

    @Test func noResendOnceHalfTheTimeoutIsGone() {
        // A timeout of 0 s: any failure comes too late for a second attempt.
        var subject = Subject.connected(timeout: 0)
        subject.backend.script = [TableError(.closed, "gone")]
        #expect(subject.ask() == .error("gone"))
        #expect(subject.backend.connects == 1)
    }

    @Test func aFailedConnectBacksOffThenRecovers() {
        var subject = Subject()
        subject.backend.connectFailure = TableError(.refused, "cannot connect")
        #expect(subject.ask() == .error("cannot connect"))
        #expect(subject.log.text().contains("error: cannot connect"))
        // Within the backoff, the same error without a connect attempt.
        subject.backend.connectFailure = TableError(.refused, "would not be tried")
        #expect(subject.ask() == .error("cannot connect"))
        subject.backend.connectFailure = nil
        usleep(useconds_t(RecoveringConnection.backoff(after: 1) * 1_000_000) + 20_000)
        #expect(subject.ask() == .found("answer from connection 1"))
        #expect(subject.log.text().contains("info: connected again after 1 failed attempt(s)"))
    }

    @Test func backoffGrowsToOneSecond() {
        #expect(RecoveringConnection.backoff(after: 1) == 0.1)
        #expect(RecoveringConnection.backoff(after: 2) == 0.2)
        #expect(RecoveringConnection.backoff(after: 4) == 0.8)
        #expect(RecoveringConnection.backoff(after: 5) == 1.0)
        #expect(RecoveringConnection.backoff(after: 60) == 1.0)
    }

    @Test func adoptingAConnectionEndsTheBackoff() {
        var subject = Subject()
        subject.backend.connectFailure = TableError(.refused, "down")
        _ = subject.ask()
        // update connects before it installs a configuration, and hands that connection over.
        subject.connection.adopt(ScriptedConnection(backend: subject.backend, number: 7))
        #expect(subject.ask() == .found("answer from connection 7"))
    }
}
