#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A TCP proxy on 127.0.0.1 between a table and its real server, that injects the network
/// faults a server cannot be made to produce on demand: replies held back for a while
/// (slower than the table's timeout, or just under it) and connections reset (RST) in the
/// middle of a request or while idle. The fault tests point a table's config at `port`.
///
/// Each accepted connection gets a thread that relays bytes both ways with `poll(2)`. The
/// delay is added once per reply: to the first bytes the server sends after the table wrote
/// something, so a reply made of several segments is held back once, not once per segment.
package final class FaultProxy: Sendable {
    /// The port the proxy listens on (127.0.0.1).
    package let port: Int
    private let targetPort: Int
    private let listener: Int32
    private let state = Mutex(State())

    private struct State {
        var replyDelay = 0.0
        var resetNextReply = false
        /// Bumped by `resetOpenConnections`: a relay started under an older value resets.
        var resetGeneration = 0
        var stopped = false
        var threads = 0
        var accepted = 0
    }

    /// Listens on an ephemeral port of 127.0.0.1 and relays to `targetPort` there.
    package init(targetPort: Int) throws {
        self.targetPort = targetPort
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw DriverError("socket: \(String(cString: strerror(errno)))") }
        var address = FaultProxy.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw DriverError("bind/listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        state.withLock { $0.threads += 1 }
        startDetachedThread { [self] in acceptLoop() }
    }

    deinit { close(listener) }

    /// Seconds added before each reply from now on (0: none).
    package var replyDelay: Double {
        get { state.withLock { $0.replyDelay } }
        set { state.withLock { $0.replyDelay = newValue } }
    }

    /// The next reply the server sends is not relayed: both connections are reset instead,
    /// as when a server or a middlebox drops a connection mid-request.
    package func resetNextReply() { state.withLock { $0.resetNextReply = true } }

    /// Resets every connection open now (they sit idle between requests), without waiting
    /// for a request.
    package func resetOpenConnections() { state.withLock { $0.resetGeneration += 1 } }

    /// Connections accepted so far (a table that reconnected has more than one).
    package var acceptedConnections: Int { state.withLock { $0.accepted } }

    /// Stops accepting, closes every connection and waits (up to 2 s) for the threads.
    package func stop() {
        state.withLock { $0.stopped = true }
        for _ in 0..<200 {
            if state.withLock({ $0.threads }) == 0 { return }
            usleep(10_000)
        }
    }

    private func acceptLoop() {
        defer { state.withLock { $0.threads -= 1 } }
        while !state.withLock({ $0.stopped }) {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            guard let server = connectToTarget() else {
                FaultProxy.reset(client)
                continue
            }
            let generation = state.withLock {
                $0.threads += 1
                $0.accepted += 1
                return $0.resetGeneration
            }
            startDetachedThread { [self] in relay(client: client, server: server, generation: generation) }
        }
    }

    private func connectToTarget() -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = FaultProxy.loopback(port: targetPort)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if status != 0 {
            close(fd)
            return nil
        }
        return fd
    }

    /// Relays one connection pair until either side closes, the proxy stops, or a fault
    /// ends it with a reset.
    private func relay(client: Int32, server: Int32, generation: Int) {
        defer { state.withLock { $0.threads -= 1 } }
        var awaitingReply = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        var pollers = [pollfd(fd: client, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: server, events: Int16(POLLIN), revents: 0)]
        while true {
            let (stopped, current) = state.withLock { ($0.stopped, $0.resetGeneration) }
            if stopped || current != generation {
                FaultProxy.reset(client)
                FaultProxy.reset(server)
                return
            }
            pollers[0].revents = 0
            pollers[1].revents = 0
            guard poll(&pollers, 2, 20) > 0 else { continue }
            if pollers[0].revents != 0 {
                let n = read(client, &buffer, buffer.count)
                if n <= 0 || !FaultProxy.writeAll(server, buffer, n) { break }
                awaitingReply = true
            }
            if pollers[1].revents != 0 {
                let n = read(server, &buffer, buffer.count)
                if n <= 0 { break }
                if awaitingReply {
                    awaitingReply = false
                    let (delay, reset) = state.withLock { state in
                        defer { state.resetNextReply = false }
                        return (state.replyDelay, state.resetNextReply)
                    }
                    if reset {
                        FaultProxy.reset(client)
                        FaultProxy.reset(server)
                        return
                    }
                    if delay > 0 { usleep(UInt32(delay * 1_000_000)) }
                }
                if !FaultProxy.writeAll(client, buffer, n) { break }
            }
        }
        close(client)
        close(server)
    }

    private static func writeAll(_ fd: Int32, _ buffer: [UInt8], _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let n = buffer[offset..<count].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Closes a socket with a zero linger time, so the peer gets an RST, not a FIN.
    private static func reset(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }
}

/// Runs `body` on a new detached POSIX thread (the driver has no thread pool of its own).
func startDetachedThread(_ body: @escaping @Sendable () -> Void) {
    final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    if status == 0 {
        pthread_detach(thread)
    } else {
        Unmanaged<Box>.fromOpaque(box).release()
    }
}
