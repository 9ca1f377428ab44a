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
        case .inet(let host, let port): host.contains(":") ? "inet:[\(host)]:\(port)" : "inet:\(host):\(port)"
        }
    }
}

/// Why a socket step failed.
struct SocketFailure: Error, CustomStringConvertible {
    enum Kind {
        /// The peer closed or reset the connection (EOF, EPIPE, ECONNRESET).
        case closed
        /// The deadline passed.
        case timeout
        /// Anything else (refused, no such socket, bad address).
        case other
    }

    var kind: Kind
    var message: String
    var description: String { message }
}

/// A non-blocking stream socket whose every step (connect, write, read) waits with poll(2)
/// until a deadline on the monotonic clock, so a hung server costs at most the timeout.
final class SocketStream {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    static func connect(_ address: SocketAddress, deadline: Double) throws(SocketFailure) -> SocketStream {
        switch address {
        case .unix(let path):
            var storage = sockaddr_un()
            storage.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            let capacity = MemoryLayout.size(ofValue: storage.sun_path)
            guard bytes.count < capacity else {
                throw SocketFailure(kind: .other, message: "socket path \(path) is longer than \(capacity - 1) bytes")
            }
            withUnsafeMutableBytes(of: &storage.sun_path) { raw in
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            let stream = try open(family: AF_UNIX, description: path)
            try withUnsafePointer(to: &storage) { (pointer) throws(SocketFailure) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SocketFailure) in
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
                throw SocketFailure(kind: .other, message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(list) }
            var lastFailure = SocketFailure(kind: .other, message: "\(address): no address")
            var entry: UnsafeMutablePointer<addrinfo>? = list
            while let current = entry {
                entry = current.pointee.ai_next
                do {
                    let stream = try open(family: current.pointee.ai_family, description: "\(address)")
                    try stream.finishConnect(current.pointee.ai_addr, current.pointee.ai_addrlen, deadline: deadline, description: "\(address)")
                    return stream
                } catch {
                    lastFailure = error
                    if error.kind == .timeout { break }
                }
            }
            throw lastFailure
        }
    }

    private static func open(family: Int32, description: String) throws(SocketFailure) -> SocketStream {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SocketFailure(kind: .other, message: "\(description): socket: \(String(cString: strerror(errno)))") }
        return SocketStream(fd: fd)
    }

    private func finishConnect(_ address: UnsafePointer<sockaddr>, _ length: socklen_t, deadline: Double, description: String) throws(SocketFailure) {
        if Glibc.connect(fd, address, length) == 0 { return }
        guard errno == EINPROGRESS || errno == EINTR || errno == EAGAIN else {
            throw SocketFailure(kind: .other, message: "cannot connect to \(description): \(String(cString: strerror(errno)))")
        }
        try wait(for: Int16(POLLOUT), deadline: deadline, doing: "connecting to \(description)")
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
        guard error == 0 else {
            throw SocketFailure(kind: .other, message: "cannot connect to \(description): \(String(cString: strerror(error)))")
        }
    }

    /// Waits until the socket is ready for `events` or the deadline passes.
    private func wait(for events: Int16, deadline: Double, doing: String) throws(SocketFailure) {
        while true {
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else { throw SocketFailure(kind: .timeout, message: "timed out \(doing)") }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, Int32((remaining * 1000).rounded(.up)))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR {
                throw SocketFailure(kind: .other, message: "poll: \(String(cString: strerror(errno)))")
            }
        }
    }

    func writeAll(_ bytes: [UInt8], deadline: Double) throws(SocketFailure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n >= 0 { offset += n; continue }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(for: Int16(POLLOUT), deadline: deadline, doing: "sending the request")
            case EPIPE, ECONNRESET, ENOTCONN: throw SocketFailure(kind: .closed, message: "the server closed the connection")
            default: throw SocketFailure(kind: .other, message: "send: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Appends what arrives to `buffer`; returns false at end of stream.
    func readSome(into buffer: inout [UInt8], deadline: Double) throws(SocketFailure) -> Bool {
        // Called right after a request went out: the reply is rarely there yet, so wait
        // first instead of paying for a recv that fails with EAGAIN.
        try wait(for: Int16(POLLIN), deadline: deadline, doing: "waiting for the reply")
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { buffer.append(contentsOf: chunk[0..<n]); return true }
            if n == 0 { return false }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(for: Int16(POLLIN), deadline: deadline, doing: "waiting for the reply")
            case ECONNRESET: return false
            default: throw SocketFailure(kind: .other, message: "recv: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// True when the peer has already closed (or sent unasked data): the connection is
    /// not worth a request. Never blocks.
    var isStale: Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) != 0
    }
}
