import Testing
@testable import TableProtocol

/// The reconnect policy the network SQL backends share: at most one new session per request,
/// none for plain query errors, none once half the timeout is gone.
@Suite struct ReconnectingSessionTests {
    final class FakeSession {
        let number: Int
        init(_ number: Int) { self.number = number }
    }

    /// Opens numbered sessions, failing when told to.
    final class Opener {
        var opened = 0
        var failing = false
        func open(_ deadline: Double) throws(TableError) -> FakeSession {
            if failing { throw TableError(.connection, "cannot connect") }
            opened += 1
            return FakeSession(opened)
        }
    }

    func makeSession(_ opener: Opener, timeout: Double = 5) throws -> ReconnectingSession<FakeSession> {
        try ReconnectingSession(timeout: timeout) { (deadline) throws(TableError) in try opener.open(deadline) }
    }

    @Test func aQueryErrorKeepsTheSession() throws {
        let opener = Opener()
        var session = try makeSession(opener)
        #expect(throws: TableError.self) {
            try session.perform { (_, _) throws(SessionFailure) in throw .query("syntax error") }
        }
        #expect(session.isUsable)
        #expect(opener.opened == 1)
    }

    @Test func aLostSessionIsReplacedAndTheRequestRetriedOnce() throws {
        let opener = Opener()
        var session = try makeSession(opener)
        var seen: [Int] = []
        try session.perform { (current, _) throws(SessionFailure) in
            seen.append(current.number)
            if current.number == 1 { throw .lost("server closed the connection") }
        }
        #expect(seen == [1, 2])
        #expect(session.isUsable)
        // The new session is kept for the next request.
        try session.perform { (current, _) throws(SessionFailure) in seen.append(current.number) }
        #expect(seen == [1, 2, 2])
    }

    @Test func lostTwiceGivesUpForThisRequest() throws {
        let opener = Opener()
        var session = try makeSession(opener)
        var attempts = 0
        #expect(throws: TableError.self) {
            try session.perform { (_, _) throws(SessionFailure) in
                attempts += 1
                throw .lost("gone")
            }
        }
        #expect(attempts == 2)
        #expect(!session.isUsable)
    }

    @Test func aFailedReconnectLeavesItToTheServerBackoff() throws {
        let opener = Opener()
        var session = try makeSession(opener)
        opener.failing = true
        var attempts = 0
        do {
            try session.perform { (_, _) throws(SessionFailure) in
                attempts += 1
                throw .lost("gone")
            }
            Issue.record("perform should have thrown")
        } catch {
            #expect(error.message == "cannot connect")
        }
        #expect(attempts == 1)
        #expect(!session.isUsable)
    }

    @Test func noRetryOnceHalfTheTimeoutIsGone() throws {
        let opener = Opener()
        // A timeout of 0 s: any failure comes too late for a second attempt.
        var session = try makeSession(opener, timeout: 0)
        var attempts = 0
        #expect(throws: TableError.self) {
            try session.perform { (_, _) throws(SessionFailure) in
                attempts += 1
                throw .lost("no answer within the timeout")
            }
        }
        #expect(attempts == 1)
        #expect(opener.opened == 1)
        #expect(!session.isUsable)
    }

    @Test func theFirstSessionIsOpenedAtOnce() {
        let opener = Opener()
        opener.failing = true
        #expect(throws: TableError.self) { _ = try makeSession(opener) }
    }
}
