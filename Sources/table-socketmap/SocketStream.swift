#if canImport(Glibc)
import Glibc
#endif
import TableProtocol

/// Where the socketmap server listens: a unix socket path or `inet:host:port`.
enum SocketAddress: Sendable, Equatable, CustomStringConvertible {
    case unix(String)
    case inet(host: String, port: Int)

    /// `/path`, `unix:/path`, `inet:host:port` or `inet:[v6]:port`.
    static func parse(_ text: String) -> SocketAddress? {
        if text.hasPrefix("inet:") {
            let rest = text.dropFirst("inet:".count)
            let host: Substring
            let portText: Substring
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else { return nil }
                host = rest[rest.index(after: rest.startIndex)..<close]
                portText = rest[rest.index(close, offsetBy: 2)...]
            } else {
                guard let colon = rest.lastIndex(of: ":") else { return nil }
                host = rest[..<colon]
                portText = rest[rest.index(after: colon)...]
            }
            guard !host.isEmpty, !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let port = Int(portText), (1...65535).contains(port) else { return nil }
            return .inet(host: String(host), port: port)
        }
        let path = text.hasPrefix("unix:") ? String(text.dropFirst("unix:".count)) : text
        guard !path.isEmpty else { return nil }
        return .unix(path)
    }

    var description: String {
        switch self {
        case .unix(let path): path
        case .inet(let host, let port): host.includes(":") ? "inet:[\(host)]:\(port)" : "inet:\(host):\(port)"
        }
    }
}

/// A stream socket whose every step (connect, write, read) ends by a deadline on the
/// monotonic clock, so a hung server costs at most the timeout.
///
/// Connecting and sending never block (poll(2) waits until the deadline). Waiting for a
/// reply is the one step every request pays for, so when the whole reply timeout is still
/// ahead it is a plain blocking recv(2) bounded by SO_RCVTIMEO, set once per connection:
/// a poll(2) with a timeout arms a high-resolution timer on every call, which costs far
/// more than the system call itself on a virtual machine (measured: about 25% of a
/// lookup's time). Later waits within the same request poll until the deadline.
final class SocketStream {
    let fd: Int32
    /// How long one blocking recv may wait (SO_RCVTIMEO); 0 until set after connecting.
    private var receiveTimeout: Double = 0
    /// Where recv(2) writes, kept between requests instead of allocated for each.
    private var chunk = [UInt8](repeating: 0, count: 16384)

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Connects, then makes the socket blocking with a receive timeout of
    /// `replyTimeout` minus a small margin, so a blocking recv started with at least that
    /// much time left ends before the deadline.
    static func connect(_ address: SocketAddress, deadline: Deadline, replyTimeout: Double) throws(TableError) -> SocketStream {
        let stream = try connect(address, deadline: deadline)
        let margin = min(0.1, replyTimeout / 10)
        stream.enableBlockingReceive(timeout: replyTimeout - margin)
        return stream
    }

    private func enableBlockingReceive(timeout: Double) {
        var interval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        guard timeout > 0, setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size)) == 0 else { return }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else { return }
        receiveTimeout = timeout
    }

    private static func connect(_ address: SocketAddress, deadline: Deadline) throws(TableError) -> SocketStream {
        switch address {
        case .unix(let path):
            var storage = sockaddr_un()
            storage.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            let capacity = MemoryLayout.size(ofValue: storage.sun_path)
            guard bytes.count < capacity else {
                throw TableError(.refused, "socket path \(path) is longer than \(capacity - 1) bytes")
            }
            withUnsafeMutableBytes(of: &storage.sun_path) { raw in
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            let stream = try open(family: AF_UNIX, description: path)
            try withUnsafePointer(to: &storage) { (pointer) throws(TableError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(TableError) in
                    try stream.finishConnect(address, socklen_t(MemoryLayout<sockaddr_un>.size), deadline: deadline, description: path)
                }
            }
            return stream
        case .inet(let host, let port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = AI_NUMERICSERV
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0, let list else {
                throw TableError(.refused, "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(list) }
            var lastFailure = TableError(.refused, "\(address): no address")
            var entry: UnsafeMutablePointer<addrinfo>? = list
            while let current = entry {
                entry = current.pointee.ai_next
                do {
                    let stream = try open(family: current.pointee.ai_family, description: "\(address)")
                    try stream.finishConnect(current.pointee.ai_addr, current.pointee.ai_addrlen, deadline: deadline, description: "\(address)")
                    return stream
                } catch {
                    lastFailure = error
                    if error.kind == .timedOut { break }
                }
            }
            throw lastFailure
        }
    }

    private static func open(family: Int32, description: String) throws(TableError) -> SocketStream {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw TableError(.refused, "\(description): socket: \(String(cString: strerror(errno)))") }
        return SocketStream(fd: fd)
    }

    private func finishConnect(_ address: UnsafePointer<sockaddr>, _ length: socklen_t, deadline: Deadline, description: String) throws(TableError) {
        // Not retried on EINTR: an interrupted connect goes on in the background, as
        // EINPROGRESS does, and is waited for below.
        if Glibc.connect(fd, address, length) == 0 { return }
        guard errno == EINPROGRESS || errno == EINTR || errno == EAGAIN else {
            throw TableError(.refused, "cannot connect to \(description): \(String(cString: strerror(errno)))")
        }
        try wait(for: Int16(POLLOUT), deadline: deadline, doing: "connecting to \(description)")
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
        guard error == 0 else {
            throw TableError(.refused, "cannot connect to \(description): \(String(cString: strerror(error)))")
        }
    }

    /// Waits until the socket is ready for `events` or the deadline passes.
    private func wait(for events: Int16, deadline: Deadline, doing: String) throws(TableError) {
        guard SocketWait.wait(fd, for: events, until: deadline) else {
            if deadline.hasPassed { throw TableError(.timedOut, "timed out \(doing)") }
            throw TableError(.broken, "poll: \(String(cString: strerror(errno)))")
        }
    }

    func writeAll(_ bytes: [UInt8], deadline: Deadline) throws(TableError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { buffer in
                retryingOnInterrupt { send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
            }
            if n >= 0 { offset += n; continue }
            switch errno {
            case EAGAIN, EWOULDBLOCK: try wait(for: Int16(POLLOUT), deadline: deadline, doing: "sending the request")
            case EPIPE, ECONNRESET, ENOTCONN: throw TableError(.closed, "the server closed the connection")
            default: throw TableError(.broken, "send: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Appends what arrives to `buffer`; returns false at end of stream.
    func readSome(into buffer: inout [UInt8], deadline: Deadline) throws(TableError) -> Bool {
        while true {
            // A blocking recv ends within receiveTimeout; only start one if the deadline
            // is at least that far. Otherwise wait with poll for what is left.
            let blocking = receiveTimeout > 0 && deadline.remaining >= receiveTimeout
            if !blocking { try wait(for: Int16(POLLIN), deadline: deadline, doing: "waiting for the reply") }
            let n = chunk.withUnsafeMutableBytes { chunk in
                retryingOnInterrupt { recv(fd, chunk.baseAddress, chunk.count, blocking ? 0 : Int32(MSG_DONTWAIT)) }
            }
            if n > 0 { buffer.append(contentsOf: chunk[0..<n]); return true }
            if n == 0 { return false }
            switch errno {
            case EAGAIN, EWOULDBLOCK: continue  // SO_RCVTIMEO expired (or a spurious wakeup): the next turn polls until the deadline
            case ECONNRESET: return false
            default: throw TableError(.broken, "recv: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// True when the peer has already closed or sent unasked data: the connection is not
    /// worth a request. Never blocks; costs one system call.
    var isStale: Bool {
        var byte: UInt8 = 0
        let n = retryingOnInterrupt { recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) }
        return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
    }
}
