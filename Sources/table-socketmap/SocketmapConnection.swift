import TableProtocol

/// One connection to the socketmap server, owned by one worker thread at a time.
///
/// Each request is written, then exactly one reply is read, all by the request's deadline.
/// A connection found dead before any reply byte arrived (the server closed it or
/// restarted since the last request) is `.closed`, so `RecoveringConnection` sends the
/// request once more on a fresh one and smtpd gets an answer instead of an error. Any other
/// failure (timeout, half a reply, garbage) is `.timedOut` or `.broken`: the stream can no
/// longer be trusted, so the connection is dropped and the next request makes a new one.
final class SocketmapConnection: TableConnection {
    let config: SocketmapConfig
    private let stream: SocketStream
    private var buffer: [UInt8] = []
    /// When the last reply was read, and how many requests went out since the connection
    /// was last probed for unasked data (see `needsProbe`).
    private var lastReplyAt = 0.0
    private var requestsSinceProbe = 0

    /// A server that sends a reply nobody asked for (a bug, or a late duplicate) would
    /// shift every later answer by one, so the connection is probed for unread data before
    /// a request and given up if there is any. The probe is a system call, about a tenth of
    /// a lookup's cost, so it is made when the connection sat idle for 10 ms (always, at
    /// the rate smtpd asks) and otherwise on every 16th request: back-to-back requests
    /// cannot stay out of step for more than 16 answers. A server that closed the
    /// connection needs no probe: that shows as EOF or EPIPE before any reply byte.
    private static let probeIdleSeconds = 0.010
    private static let probeEvery = 16

    private func needsProbe(now: Double) -> Bool {
        requestsSinceProbe += 1
        if requestsSinceProbe >= Self.probeEvery || now - lastReplyAt >= Self.probeIdleSeconds {
            requestsSinceProbe = 0
            return true
        }
        return false
    }

    init(config: SocketmapConfig, deadline: Deadline) throws(TableError) {
        self.config = config
        do throws(TableError) {
            self.stream = try SocketStream.connect(config.address, deadline: deadline, replyTimeout: Double(config.timeoutSeconds))
        } catch {
            throw error.prefixed("socketmap: ")
        }
        lastReplyAt = monotonicSeconds()
    }

    func answer(_ request: Request, until deadline: Deadline) throws(TableError) -> Answer {
        // A key the line protocol cannot carry is refused, never sent: the server would read
        // `key\r` as `key`, or a key with LF as two requests. Netstrings carry any byte.
        if config.framing == .line, request.withKey({ SocketmapFraming.hasLineBreak($0) }) {
            return .error("the key contains a line break, which the line protocol cannot carry (use protocol netstring)")
        }
        // The map is the configured name, or the table's as smtpd sent it (no String made).
        let message = request.withKey { key in
            if let map = config.map { return config.framing.encode(map: map.utf8, key: key) }
            return request.withTable { config.framing.encode(map: $0, key: key) }
        }
        let payload: [UInt8]
        do throws(TableError) {
            payload = try exchange(message, deadline: deadline)
        } catch {
            throw error.prefixed("socketmap: ")
        }
        switch SocketmapReply.parse(payload) {
        case .ok(let value):
            if request.operation == .check { return .hit }
            guard !value.isEmpty else { return .error("socketmap server answered OK with an empty value") }
            return .found(value)
        case .notFound:
            return .notFound
        case .failure(let status, let reason):
            return .error("socketmap server answered \(status)\(reason.isEmpty ? "" : ": \(reason)")")
        case .unrecognized:
            return .error("unrecognized socketmap reply")
        }
    }

    /// Sends one request and returns the payload of its reply.
    private func exchange(_ request: [UInt8], deadline: Deadline) throws(TableError) -> [UInt8] {
        let now = monotonicSeconds()
        if !buffer.isEmpty || (needsProbe(now: now) && stream.isStale) {
            throw TableError(.closed, "the server closed the connection or sent a reply nobody asked for")
        }
        try stream.writeAll(request, deadline: deadline)
        while true {
            switch config.framing.decode(buffer[...]) {
            case .reply(let payload, let consumed):
                buffer.removeFirst(consumed)
                if !buffer.isEmpty {
                    // More than one reply to one request: the stream is out of step.
                    throw TableError(.broken, "the server sent more than one reply")
                }
                lastReplyAt = monotonicSeconds()
                return payload
            case .invalid(let reason):
                throw TableError(.broken, reason)
            case .incomplete:
                guard try stream.readSome(into: &buffer, deadline: deadline) else {
                    throw buffer.isEmpty
                        ? TableError(.closed, "the server closed the connection")
                        : TableError(.broken, "the server closed the connection in the middle of a reply")
                }
            }
        }
    }
}
