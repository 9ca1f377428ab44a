#if canImport(Glibc)
import Glibc
#endif
import CHiredis
import TableProtocol

/// One blocking hiredis connection (`redisContext`) with connect and command timeouts,
/// owned by one worker thread.
final class RedisLink {
    let endpoint: RedisEndpoint
    private let context: UnsafeMutablePointer<redisContext>
    /// False once a command failed without a reply: hiredis contexts cannot recover.
    private(set) var isHealthy = true

    /// Connects within `timeout` seconds (redisConnectWithTimeout / redisConnectUnixWithTimeout)
    /// and sets the same timeout on every later read and write (redisSetTimeout).
    init(_ endpoint: RedisEndpoint, timeoutSeconds: Int) throws(TableError) {
        self.endpoint = endpoint
        let timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        let made: UnsafeMutablePointer<redisContext>?
        switch endpoint {
        case .tcp(let host, let port):
            made = redisConnectWithTimeout(host, Int32(port), timeout)
        case .unix(let path):
            made = redisConnectUnixWithTimeout(path, timeout)
        }
        guard let made else {
            throw TableError(.broken, "\(endpoint): cannot allocate a connection")
        }
        if made.pointee.err != 0 {
            let reason = Self.errorString(made)
            let kind: TableError.Kind = reason.includes("timed out") ? .timedOut : .closed
            redisFree(made)
            throw TableError(kind, "\(endpoint): \(reason)")
        }
        guard redisSetTimeout(made, timeout) == REDIS_OK else {
            let reason = Self.errorString(made)
            redisFree(made)
            throw TableError(.broken, "\(endpoint): setting the timeout: \(reason)")
        }
        context = made
    }

    deinit { redisFree(context) }

    /// Sends one command as an argument vector (redisCommandArgv: no formatting, so a key can
    /// never become part of the command) and waits for its reply.
    func command(_ arguments: [[UInt8]]) throws(TableError) -> RedisValue {
        try command(RedisCommand(arguments))
    }

    /// Sends one command (see `command(_:)` above); its argument pointers are made on the stack.
    func command(_ command: RedisCommand) throws(TableError) -> RedisValue {
        guard isHealthy else { throw TableError(.broken, "\(endpoint): connection already failed") }
        let count = command.lengths.count
        let reply: UnsafeMutablePointer<redisReply>? = command.bytes.withUnsafeBytes { bytes in
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { argv in
                // Never nil: the bytes end with a NUL (see `RedisCommand`).
                let base = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
                var offset = 0
                for (index, length) in command.lengths.enumerated() {
                    argv[index] = base + offset
                    offset += length
                }
                return command.lengths.withUnsafeBufferPointer { argvlen in
                    CHiredis_commandArgv(context, Int32(count), argv.baseAddress, argvlen.baseAddress)
                }
            }
        }
        guard let reply else {
            let savedErrno = errno
            isHealthy = false
            let reason = Self.errorString(context)
            // A failed command leaves no reply: EOF or an I/O error is the connection found
            // closed (the command is safe to send again), EAGAIN the read timeout expiring.
            let kind: TableError.Kind
            if context.pointee.err == REDIS_ERR_IO && (savedErrno == EAGAIN || savedErrno == EWOULDBLOCK) {
                kind = .timedOut
            } else if context.pointee.err == REDIS_ERR_EOF || context.pointee.err == REDIS_ERR_IO {
                kind = .closed
            } else {
                kind = .broken
            }
            throw TableError(kind, "\(endpoint): \(kind == .timedOut ? "no reply within the timeout" : reason)")
        }
        defer { freeReplyObject(reply) }
        return Self.value(reply)
    }

    /// Copies a reply tree into Swift values.
    static func value(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case CHiredis_replyString():
            guard let str = r.str else { return .string([]) }
            return .string(Array(UnsafeRawBufferPointer(start: str, count: r.len)))
        case CHiredis_replyInteger():
            return .integer(r.integer)
        case CHiredis_replyNil():
            return .null
        case CHiredis_replyArray():
            var elements: [RedisValue] = []
            elements.reserveCapacity(r.elements)
            for index in 0..<r.elements {
                if let element = r.element[index] { elements.append(value(element)) } else { elements.append(.null) }
            }
            return .array(elements)
        case CHiredis_replyStatus():
            return .status(text(r))
        case CHiredis_replyError():
            return .error(text(r))
        default:
            return .error("unknown reply type \(r.type)")
        }
    }

    private static func text(_ r: redisReply) -> String {
        guard let str = r.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: str, count: min(r.len, 200)), as: UTF8.self)
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
