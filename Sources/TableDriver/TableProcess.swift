#if canImport(Glibc)
import Glibc
#endif

/// A failure while driving a table process: what went wrong, in words.
public struct DriverError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A table backend started the way smtpd starts it (smtpd.c `fork_proc_backend`): argv[0] is
/// the table's name, argv[1] the text after `backend:`, and stdin and stdout are the same end
/// of one socketpair. This side plays smtpd: it sends the handshake and requests and reads
/// replies, with a timeout so that a hanging backend fails a test instead of blocking it.
public final class TableProcess {
    public let pid: pid_t
    public let tableName: String
    /// Our end of the socketpair.
    public let fd: Int32
    private var buffer: [UInt8] = []
    private var nextID: UInt32
    private var exitStatus: Int32?

    /// - Parameters:
    ///   - executable: path of the table binary.
    ///   - arguments: what follows argv[0] (normally just the config path).
    ///   - stderrPath: where the backend's stderr goes; nil inherits ours.
    public init(executable: String, tableName: String, arguments: [String], stderrPath: String? = nil,
                environment: [String]? = nil) throws {
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw DriverError("socketpair: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
        if let stderrPath {
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        // smtpd's lookup process ignores these signals and the child inherits that: ignore
        // them around the spawn (posix_spawn keeps ignored signals ignored).
        let previous = [SIGPIPE, SIGINT, SIGTERM, SIGHUP].map { ($0, signal($0, SIG_IGN)) }
        defer { for (number, handler) in previous { signal(number, handler) } }

        let argv = [tableName] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var child = pid_t()
        let status: Int32
        if let environment {
            var cEnvironment: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
            defer { cEnvironment.forEach { free($0) } }
            status = posix_spawn(&child, executable, &actions, nil, &cArguments, &cEnvironment)
        } else {
            status = posix_spawn(&child, executable, &actions, nil, &cArguments, environ)
        }
        close(pair[1])
        guard status == 0 else {
            close(pair[0])
            throw DriverError("posix_spawn \(executable): \(String(cString: strerror(status)))")
        }
        self.pid = child
        self.fd = pair[0]
        self.tableName = tableName
        self.nextID = UInt32(bitPattern: child) &* 2654435761
    }

    deinit {
        close(fd)
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    /// Sends smtpd's four handshake lines and returns the services registered before
    /// `register|ready`.
    public func handshake(smtpdVersion: String = "7.6.0-portable", timeout: Double = 10) throws -> [String] {
        try send("config|smtpd-version|\(smtpdVersion)\nconfig|protocol|0.1\nconfig|tablename|\(tableName)\nconfig|ready\n")
        var services: [String] = []
        while true {
            guard let line = try readLine(timeout: timeout) else {
                throw DriverError("end of input during the handshake")
            }
            guard line.hasPrefix("register|") else { throw DriverError("invalid handshake line: \(line)") }
            let name = String(line.dropFirst("register|".count))
            if name == "ready" { return services }
            services.append(name)
        }
    }

    /// A fresh request id: 8 lowercase hex digits, like smtpd's arc4random ids.
    public func makeID() -> String {
        nextID = nextID &* 1664525 &+ 1013904223
        let hex = String(nextID, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// The request line smtpd would send (without LF).
    public func requestLine(_ operation: String, service: String?, id: String, key: [UInt8]?) -> [UInt8] {
        var now = timeval()
        gettimeofday(&now, nil)
        var micro = String(now.tv_usec)
        micro = String(repeating: "0", count: max(0, 6 - micro.count)) + micro
        var text = "table|0.1|\(now.tv_sec).\(micro)|\(tableName)|\(operation)|"
        if let service { text += "\(service)|" }
        text += id
        var bytes = Array(text.utf8)
        if let key {
            bytes.append(UInt8(ascii: "|"))
            bytes.append(contentsOf: key)
        }
        return bytes
    }

    /// Sends one request and waits for its reply; returns what follows `<op>-result|<id>|`.
    /// Throws if the reply is not for this request.
    public func request(_ operation: String, _ service: String? = nil, key: String? = nil, timeout: Double = 10) throws -> String {
        try request(operation, service, keyBytes: key.map { Array($0.utf8) }, timeout: timeout)
    }

    public func request(_ operation: String, _ service: String?, keyBytes: [UInt8]?, timeout: Double = 10) throws -> String {
        let id = makeID()
        try send(requestLine(operation, service: service, id: id, key: keyBytes) + [0x0A])
        guard let reply = try readLine(timeout: timeout) else {
            throw DriverError("end of input waiting for the reply to \(operation) \(service ?? "")")
        }
        let prefix = "\(operation)-result|\(id)|"
        guard reply.hasPrefix(prefix) else { throw DriverError("reply for another request: \(reply)") }
        return String(reply.dropFirst(prefix.count))
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw DriverError("write to table: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// The next line the table wrote, without its LF; nil at end of input. Throws after
    /// `timeout` seconds without a full line.
    public func readLine(timeout: Double = 10) throws -> String? {
        try readLineBytes(timeout: timeout).map { String(decoding: $0, as: UTF8.self) }
    }

    public func readLineBytes(timeout: Double = 10) throws -> [UInt8]? {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let deadline = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 + timeout
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            clock_gettime(CLOCK_MONOTONIC, &now)
            let remaining = deadline - (Double(now.tv_sec) + Double(now.tv_nsec) / 1e9)
            guard remaining > 0 else { throw DriverError("timed out after \(timeout) s waiting for a reply") }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining * 1000, 1_000_000)) + 1)
            if ready < 0 && errno != EINTR { throw DriverError("poll: \(String(cString: strerror(errno)))") }
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw DriverError("read from table: \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                if buffer.isEmpty { return nil }
                defer { buffer = [] }
                return buffer
            }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// Ends the table's input, as smtpd's exit does; the table should exit 0.
    public func closeInput() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Waits for the process to exit and returns its status (128+signal if killed), or
    /// nil if it is still running after `timeout` seconds.
    public func wait(timeout: Double = 10) -> Int32? {
        if let exitStatus { return exitStatus }
        let steps = Int(timeout * 100)
        for _ in 0...steps {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                exitStatus = code
                return code
            }
            usleep(10_000)
        }
        return nil
    }

    public var isRunning: Bool {
        exitStatus == nil && waitpid(pid, nil, WNOHANG) == 0
    }

    /// Peak resident memory so far in KiB (VmHWM in /proc/PID/status).
    public func peakRSSKiB() -> Int? {
        ProcStatus.value("VmHWM", pid: pid)
    }

    /// Open descriptors of the process (entries in /proc/PID/fd).
    public func openDescriptorCount() -> Int? {
        guard let dir = opendir("/proc/\(pid)/fd") else { return nil }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { count += 1 }
        }
        return count
    }
}

/// Values of /proc/PID/status, e.g. `VmHWM:     5120 kB`.
public enum ProcStatus {
    public static func value(_ field: String, pid: pid_t) -> Int? {
        guard let file = fopen("/proc/\(pid)/status", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!)
            if text.hasPrefix(field + ":") {
                return Int(text.dropFirst(field.count + 1).filter(\.isNumber))
            }
        }
        return nil
    }
}
