/// How a database call failed, as the network SQL backends (postgres, mysql) tell it to
/// `ReconnectingSession`.
public struct SessionFailure: Error, Sendable {
    public enum Kind: Sendable {
        /// The statement failed on a working connection (syntax, bad value, constraint): the
        /// same request would fail again, so it is answered `error` without reconnecting.
        case query
        /// The connection is gone or cannot be trusted (server restart, killed session,
        /// network cut, timeout, prepared statements lost): the session must be replaced.
        case lost
    }

    public var kind: Kind
    public var error: TableError

    public init(_ kind: Kind, _ error: TableError) {
        self.kind = kind
        self.error = error
    }

    public static func query(_ message: String) -> SessionFailure { SessionFailure(.query, TableError(.query, message)) }
    public static func lost(_ message: String) -> SessionFailure { SessionFailure(.lost, TableError(.connection, message)) }
}

/// One worker's database session (a connection with its prepared statements), replaced when
/// it breaks.
///
/// Each request gets a deadline of `timeout` seconds. When the session turns out to be lost,
/// it is closed and, at most once per request, a new one is opened (statements prepared
/// again) and the request retried, but only if at least half the timeout is left: a request
/// that already waited out a frozen server answers `error` now instead of waiting a second
/// time (upstream retried twice and could loop, OpenSMTPD issue 788). If that does not work,
/// `isUsable` becomes false and the server's reconnect backoff takes over.
public struct ReconnectingSession<Session: AnyObject> {
    public typealias Opener = (_ deadline: Double) throws(TableError) -> Session

    public let timeout: Double
    @usableFromInline let open: Opener
    @usableFromInline let logger: Logger?
    @usableFromInline var session: Session?
    @usableFromInline var usable = true
    /// False once a lost session could not be replaced within the request.
    public var isUsable: Bool { usable }

    /// Opens the first session now (so `connect()` and `table-NAME -n` report what is wrong).
    /// `logger` hears of every session lost and replaced.
    public init(timeout: Double, logger: Logger? = nil, open: @escaping Opener) throws(TableError) {
        self.timeout = timeout
        self.open = open
        self.logger = logger
        self.session = try open(monotonicSeconds() + timeout)
    }

    /// Runs `body` on the session with the request's deadline. `body` must only throw a
    /// `.lost` failure before it has handed any row to its caller, so that a retry cannot
    /// deliver rows twice.
    ///
    /// Inlinable, so that each backend's module specializes it for its session type: run
    /// generically from here, it looked up `ReconnectingSession<Session>`'s metadata on
    /// every request.
    @inlinable
    public mutating func perform(_ body: (Session, _ deadline: Double) throws(SessionFailure) -> Void) throws(TableError) {
        let deadline = monotonicSeconds() + timeout
        var retried = false
        while true {
            let current: Session
            if let session {
                current = session
            } else {
                do {
                    current = try open(deadline)
                } catch {
                    // Opening a new session failed: leave it to the server's backoff.
                    usable = false
                    throw error
                }
                session = current
            }
            do throws(SessionFailure) {
                try body(current, deadline)
                return
            } catch {
                guard error.kind == .lost else { throw error.error }
                session = nil
                if retried || deadline - monotonicSeconds() < timeout / 2 {
                    usable = false
                    throw error.error
                }
                logger?.info("connection lost (\(error.error.message)); connecting again")
                retried = true
            }
        }
    }
}
