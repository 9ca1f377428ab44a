import TableProtocol

/// One connection to the socketmap server, owned by the worker thread.
///
/// Each request is written, then exactly one reply is read, all within `timeout` seconds.
/// If the connection turns out to be dead before any reply byte arrived (the server closed
/// it or restarted since the last request), the request is sent once more on a fresh
/// connection, so smtpd gets an answer instead of an error. Any other failure (timeout,
/// half a reply, garbage) answers `error` and drops the connection, since the stream can no
/// longer be trusted; the server loop reconnects on the next request.
final class SocketmapConnection: TableConnection {
    let config: SocketmapConfig
    private var stream: SocketStream?
    private var buffer: [UInt8] = []
    /// When the last reply was read, and how many requests went out since the connection
    /// was last probed for unasked data (see `needsProbe`).
    private var lastReplyAt = 0.0
    private var requestsSinceProbe = 0

    /// A server that sends a reply nobody asked for (a bug, or a late duplicate) would
    /// shift every later answer by one, so the connection is probed for unread data before
    /// a request and dropped if there is any. The probe is a system call, about a tenth of
    /// a lookup's cost, so it is made when the connection sat idle for 10 ms (always, at
    /// the rate smtpd asks) and otherwise on every 16th request: back-to-back requests
    /// cannot stay out of step for more than 16 answers. A server that closed the
    /// connection needs no probe: that shows as EOF or EPIPE before any reply byte, and the
    /// request is sent again on a new connection.
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

    init(config: SocketmapConfig) throws(TableError) {
        self.config = config
        self.stream = try Self.open(config, deadline: monotonicSeconds() + Double(config.timeoutSeconds))
    }

    var isUsable: Bool { stream != nil }

    private static func open(_ config: SocketmapConfig, deadline: Double) throws(TableError) -> SocketStream {
        do {
            return try SocketStream.connect(config.address, deadline: deadline, replyTimeout: Double(config.timeoutSeconds))
        } catch {
            throw TableError(.connection, "socketmap: \(error.message)")
        }
    }

    /// upstream's nine services; the server decides what it knows.
    static let services: [Service] = [.alias, .domain, .credentials, .netaddr, .userinfo, .source, .mailaddr, .addrname, .mailaddrmap]

    func answer(_ request: Request) -> Answer {
        guard request.operation == .check || request.operation == .lookup else {
            return .error("table-socketmap does not support \(request.operation)")
        }
        guard Self.services.contains(request.service) else {
            return .error("table-socketmap does not serve \(request.service)")
        }
        let map = config.map ?? request.table
        let payload: [UInt8]
        do {
            payload = try exchange(config.framing.encode(map: map.utf8, key: request.key))
        } catch {
            stream = nil
            buffer = []
            return .error(error.message)
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
    private func exchange(_ request: [UInt8]) throws(TableError) -> [UInt8] {
        let now = monotonicSeconds()
        let deadline = now + Double(config.timeoutSeconds)
        var fresh = false
        if stream == nil || !buffer.isEmpty || (needsProbe(now: now) && stream!.isStale) {
            stream = nil
            buffer = []
            stream = try Self.open(config, deadline: deadline)
            fresh = true
        }
        while true {
            do {
                let reply = try roundTrip(request, on: stream!, deadline: deadline)
                lastReplyAt = monotonicSeconds()
                return reply
            } catch let failure {
                guard failure.kind == .closed, buffer.isEmpty, !fresh else {
                    throw TableError(.connection, "socketmap: \(failure.message)")
                }
                // Dead before any reply byte: the server went away between requests.
                stream = nil
                stream = try Self.open(config, deadline: deadline)
                fresh = true
            }
        }
    }

    private func roundTrip(_ request: [UInt8], on stream: SocketStream, deadline: Double) throws(SocketFailure) -> [UInt8] {
        try stream.writeAll(request, deadline: deadline)
        while true {
            switch config.framing.decode(buffer[...]) {
            case .reply(let payload, let consumed):
                buffer.removeFirst(consumed)
                if !buffer.isEmpty {
                    // More than one reply to one request: the stream is out of step.
                    throw SocketFailure(kind: .other, message: "the server sent more than one reply")
                }
                return payload
            case .invalid(let reason):
                throw SocketFailure(kind: .other, message: reason)
            case .incomplete:
                guard try stream.readSome(into: &buffer, deadline: deadline) else {
                    throw SocketFailure(kind: .closed, message: buffer.isEmpty ? "the server closed the connection" : "the server closed the connection in the middle of a reply")
                }
            }
        }
    }
}
