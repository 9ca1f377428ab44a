#if canImport(Glibc)
import Glibc
#endif

/// A failure while driving a table process: what went wrong, in words.
package struct DriverError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// A table backend started the way smtpd starts it (smtpd.c `fork_proc_backend`): argv[0] is
/// the table's name, argv[1] the text after `backend:`, and stdin and stdout are the same end
/// of one socketpair. This side plays smtpd: it sends the handshake and requests and reads
/// replies, with a timeout so that a hanging backend fails a test instead of blocking it.
package final class TableProcess {
    package let pid: pid_t
    package let tableName: String
    /// Our end of the socketpair.
    package let fd: Int32
    /// Bytes read and not yet returned start at `consumed`.
    private var buffer: [UInt8] = []
    private var consumed = 0
    /// What `read(2)` fills, allocated once: a fresh 64 KiB array per read cost the
    /// benchmark more time than some backends take to answer.
    private var chunk: [UInt8] = []
    /// The SO_RCVTIMEO on `fd`, in seconds (0: none yet).
    private var receiveTimeout = 0.0
    private var nextID: UInt32
    private var exitStatus: Int32?

    /// - Parameters:
    ///   - executable: path of the table binary.
    ///   - arguments: what follows argv[0] (normally just the config path).
    ///   - stderrPath: where the backend's stderr goes; nil inherits ours.
    package init(executable: String, tableName: String, arguments: [String], stderrPath: String? = nil,
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
    package func handshake(smtpdVersion: String = "7.6.0-portable", timeout: Double = 10) throws -> [String] {
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
    package func makeID() -> String {
        String(decoding: Self.hexDigits(makeNumericID()), as: UTF8.self)
    }

    /// A fresh request id as a number; `hexDigits` spells it as it goes on the wire.
    package func makeNumericID() -> UInt32 {
        nextID = nextID &* 1664525 &+ 1013904223
        return nextID
    }

    /// `id` as 8 lowercase hex digits.
    package static func hexDigits(_ id: UInt32) -> [UInt8] {
        (0..<8).map { position in
            let digit = UInt8((id >> (28 - 4 * UInt32(position))) & 0xF)
            return digit < 10 ? 0x30 + digit : 0x57 + digit
        }
    }

    /// The request line smtpd would send (without LF).
    package func requestLine(_ operation: String, service: String?, id: String, key: [UInt8]?) -> [UInt8] {
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
    package func request(_ operation: String, _ service: String? = nil, key: String? = nil, timeout: Double = 10) throws -> String {
        try request(operation, service, keyBytes: key.map { Array($0.utf8) }, timeout: timeout)
    }

    package func request(_ operation: String, _ service: String?, keyBytes: [UInt8]?, timeout: Double = 10) throws -> String {
        let id = makeID()
        try send(requestLine(operation, service: service, id: id, key: keyBytes) + [0x0A])
        guard let reply = try readLine(timeout: timeout) else {
            throw DriverError("end of input waiting for the reply to \(operation) \(service ?? "")")
        }
        let prefix = "\(operation)-result|\(id)|"
        guard reply.hasPrefix(prefix) else { throw DriverError("reply for another request: \(reply)") }
        return String(reply.dropFirst(prefix.count))
    }

    package func send(_ text: String) throws { try send(Array(text.utf8)) }

    package func send(_ bytes: [UInt8]) throws {
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
    package func readLine(timeout: Double = 10) throws -> String? {
        try readLineBytes(timeout: timeout).map { String(decoding: $0, as: UTF8.self) }
    }

    package func readLineBytes(timeout: Double = 10) throws -> [UInt8]? {
        try withNextLine(timeout: timeout) { Array($0) }
    }

    /// Calls `body` with the next line the table wrote (without its LF) where it lies in the
    /// read buffer, and returns what it returns; nil at end of input. Throws after `timeout`
    /// seconds without a full line.
    ///
    /// Waits in a blocking `read(2)` bounded by SO_RCVTIMEO, one system call per wait (a
    /// `poll(2)` before each read made two, and armed a timer each time).
    package func withNextLine<T>(timeout: Double = 10, _ body: (ArraySlice<UInt8>) throws -> T) throws -> T? {
        let deadline = monotonicNow() + timeout
        while true {
            if let line = try withBufferedLine(body) { return line }
            if consumed > 0 {
                buffer.removeSubrange(..<consumed)
                consumed = 0
            }
            let remaining = deadline - monotonicNow()
            guard remaining > 0 else { throw DriverError("timed out after \(timeout) s waiting for a reply") }
            boundReads(by: min(remaining, 1.0))
            if chunk.isEmpty { chunk = [UInt8](repeating: 0, count: 65536) }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                // EAGAIN: SO_RCVTIMEO passed; the deadline is checked above.
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                throw DriverError("read from table: \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                if buffer.isEmpty { return nil }
                defer { buffer = [] }
                return try body(buffer[...])
            }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// Calls `body` with the next line if a whole one is already read, without reading; nil
    /// otherwise.
    package func withBufferedLine<T>(_ body: (ArraySlice<UInt8>) throws -> T) rethrows -> T? {
        guard let newline = buffer[consumed...].firstIndex(of: 0x0A) else { return nil }
        let start = consumed
        consumed = newline + 1
        defer {
            if consumed == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                consumed = 0
            }
        }
        return try body(buffer[start..<newline])
    }

    /// Lowers SO_RCVTIMEO to `seconds` if it is longer (or unset), so that no read blocks
    /// past a deadline; a shorter bound only makes a long wait loop, so it is left as it is
    /// (one `setsockopt` for a run of reads with the same timeout, not one per read).
    private func boundReads(by seconds: Double) {
        guard receiveTimeout == 0 || receiveTimeout > seconds else { return }
        let bounded = max(seconds, 0.001)
        var value = timeval(tv_sec: Int(bounded), tv_usec: Int((bounded - bounded.rounded(.down)) * 1e6))
        if setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size)) == 0 {
            receiveTimeout = bounded
        }
    }

    /// Ends the table's input, as smtpd's exit does; the table should exit 0.
    package func closeInput() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Waits for the process to exit and returns its status (128+signal if killed), or
    /// nil if it is still running after `timeout` seconds.
    package func wait(timeout: Double = 10) -> Int32? {
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

    package var isRunning: Bool {
        exitStatus == nil && waitpid(pid, nil, WNOHANG) == 0
    }

    /// Peak resident memory so far in KiB (VmHWM in /proc/PID/status).
    package func peakRSSKiB() -> Int? {
        ProcStatus.value("VmHWM", pid: pid)
    }

    /// The CPU time the process's threads have run so far, user and kernel, in nanoseconds:
    /// the first field of each /proc/PID/task/TID/schedstat (the scheduler's own account,
    /// unlike the clock ticks of /proc/PID/stat, which are 10 ms apart). Threads that have
    /// ended are not counted, so a difference is exact only while the threads live on (the
    /// tables' workers do).
    package func cpuNanoseconds() -> UInt64? {
        guard let tasks = Self.entries(of: "/proc/\(pid)/task") else { return nil }
        var total: UInt64 = 0
        var threads = 0
        for task in tasks {
            guard let file = fopen("/proc/\(pid)/task/\(task)/schedstat", "r") else { continue }
            defer { fclose(file) }
            var line = [UInt8](repeating: 0, count: 128)
            let read = line.withUnsafeMutableBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { fgets($0.baseAddress, Int32($0.count), file) != nil }
            }
            guard read else { continue }
            let text = String(decoding: line.prefix { $0 != 0 }, as: UTF8.self)
            if let first = text.split(separator: " ").first, let nanoseconds = UInt64(first) {
                total += nanoseconds
                threads += 1
            }
        }
        // None read: a kernel without the scheduler's statistics, or the process is gone.
        return threads > 0 ? total : nil
    }

    /// Threads of the process (Threads in /proc/PID/status).
    package func threadCount() -> Int? {
        ProcStatus.value("Threads", pid: pid)
    }

    /// Open descriptors of the process (entries in /proc/PID/fd).
    package func openDescriptorCount() -> Int? {
        Self.entries(of: "/proc/\(pid)/fd")?.count
    }

    /// The names in a directory but `.` and `..`; nil if it cannot be opened.
    private static func entries(of path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

/// Values of /proc/PID/status, e.g. `VmHWM:     5120 kB`.
package enum ProcStatus {
    package static func value(_ field: String, pid: pid_t) -> Int? {
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
