/// What a connection made of one request: the server's answer (which may be an `error` the
/// request itself caused), or none because the server could not be reached or the
/// connection was lost: the case the answer cache may bridge with an older answer.
enum Attempt {
    case answered(Answer)
    case unavailable(String)
}

/// A connection kept working through failures: the one place that decides when a backend
/// connects, when a lost connection is replaced and its request sent again, and how long to
/// wait after a failed connect. Backends only say how to connect and how to answer one
/// request, and sort their failures into `TableError.Kind`s; every backend recovers the same
/// way, and a change to how tables survive their servers is made here.
///
/// The rules, which keep a table from ever blocking smtpd for long:
/// - Connect lazily, on the first request that needs a connection (never before the
///   handshake: smtpd starts while the database is down).
/// - Each request has one deadline, `requestTimeout` from its start, and connecting counts
///   against it.
/// - `.closed` on a connection that was open before this request (found dead before any
///   reply byte: the server restarted or dropped it while idle): connect again and send the
///   request once more, if at least half the timeout is left. A server restart then costs
///   no error at all, and a request that already waited out a frozen server answers `error`
///   now instead of waiting a second time (upstream's table-mysql retried in a loop,
///   OpenSMTPD issue 788).
/// - `.timedOut`, `.broken`: drop the connection (a late reply must never answer the next
///   request) and answer `error`.
/// - `.request`: answer `error`, keep the connection.
/// - A failed connect answers `error` and starts a backoff (`backoff(after:)`): until it
///   ends, requests answer the same error at once without trying, so a server that is down
///   costs one fast `error` per request instead of a connect timeout each, and service is
///   back within a second of the server's return.
struct RecoveringConnection {
    /// The configuration connections are made from, and its `requestTimeout`.
    let backend: any TableBackend
    let timeout: Double?
    private var connection: (any TableConnection)?
    /// Failed connects in a row, and when the next may be tried.
    private var failures = 0
    private var nextAttempt = 0.0
    private var lastError = ""

    init(backend: any TableBackend, timeout: Double?) {
        self.backend = backend
        self.timeout = timeout
    }

    /// The wait after `failures` failed connects in a row: 0.1 s, doubling, at most 1 s.
    static func backoff(after failures: Int) -> Double {
        min(0.1 * Double(1 << min(max(failures, 1) - 1, 10)), 1.0)
    }

    /// Answers one request on this connection, connecting first if need be, and applies
    /// the rules above to whatever fails.
    mutating func answer(_ request: Request, logger: Logger) -> Answer {
        switch attempt(request, logger: logger) {
        case .answered(let answer): return answer
        case .unavailable(let message): return .error(message)
        }
    }

    /// The same, telling an answer from the server apart from no answer at all.
    mutating func attempt(_ request: Request, logger: Logger) -> Attempt {
        let deadline = Deadline(timeout: timeout)
        guard let connection else { return answerOnNewConnection(request, until: deadline, logger: logger) }
        do throws(TableError) {
            return .answered(try connection.answer(request, until: deadline))
        } catch {
            return recover(from: error, answering: request, until: deadline, logger: logger)
        }
    }

    /// After the open connection failed `request`: answers `error`, or connects again and
    /// sends it once more (the rules above). Out of line, like everything but the answer
    /// on an open connection, so that the code every request runs stays short.
    @inline(never)
    private mutating func recover(from error: TableError, answering request: Request, until deadline: Deadline,
                                  logger: Logger) -> Attempt {
        guard error.losesConnection else { return .answered(.error(error.message)) }
        connection = nil
        guard error.kind == .closed, deadline.remaining >= (timeout ?? 0) / 2 else {
            return .unavailable(error.message)
        }
        logger.info("connection lost (\(error.message)); connecting again")
        return answerOnNewConnection(request, until: deadline, logger: logger)
    }

    /// Connects and answers `request` on the new connection; a failure there is not retried.
    @inline(never)
    private mutating func answerOnNewConnection(_ request: Request, until deadline: Deadline, logger: Logger) -> Attempt {
        guard let opened = open(until: deadline, logger: logger) else { return .unavailable(lastError) }
        do throws(TableError) {
            return .answered(try opened.answer(request, until: deadline))
        } catch {
            guard error.losesConnection else { return .answered(.error(error.message)) }
            connection = nil
            return .unavailable(error.message)
        }
    }

    /// Connects, unless a recent failure's backoff is still running; nil when there is no
    /// connection (the reason is in `lastError`).
    private mutating func open(until deadline: Deadline, logger: Logger) -> (any TableConnection)? {
        let now = monotonicSeconds()
        if failures > 0 && now < nextAttempt { return nil }
        do throws(TableError) {
            let fresh = try backend.connect(until: deadline)
            if failures > 0 { logger.info("connected again after \(failures) failed attempt(s)") }
            failures = 0
            connection = fresh
            return fresh
        } catch {
            failures += 1
            lastError = error.message
            nextAttempt = now + Self.backoff(after: failures)
            logger.error(error.message)
            return nil
        }
    }

    /// Takes a connection opened elsewhere (by `update`, which connects before it accepts a
    /// new configuration), forgetting past failures.
    mutating func adopt(_ fresh: any TableConnection) {
        connection = fresh
        failures = 0
    }
}
