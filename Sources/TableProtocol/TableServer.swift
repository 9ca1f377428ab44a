import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The protocol loop smtpd talks to: handshake, then requests until end of input.
///
/// The calling thread reads stdin; worker threads take requests from a queue, each with its
/// own connection, and write each reply as one locked `write(2)`, so
/// pipelined requests run in parallel and are answered by id, possibly out of order. Every
/// request gets exactly one reply; a backend failure is an `error` reply, never an exit.
///
/// When nothing else is in flight and no further request is already buffered (always the
/// case with smtpd, which waits for each answer), the reader answers the request itself:
/// handing it to a worker would cost two thread switches per request, a sixth of the time
/// of a SQLite lookup. Pipelined requests go to the `Backend.concurrency` workers.
/// There are `concurrency` connections (`ConnectionSlots`), one per worker, and the reader
/// answers on the first worker's, which is idle whenever the reader answers: so all of
/// them serve pipelined requests (with a connection of the reader's own, idle at window 16,
/// table-postgres answered 15% fewer lookups per second there), one-at-a-time traffic keeps
/// to one connection, and there are never more than `concurrency`.
///
/// The server is not generic over the backend: it holds it as `any TableBackend` and its
/// connections as `any TableConnection`. A generic server in this module, instantiated
/// from each backend's module, ran unspecialized there and looked up the metadata of its
/// generic types (`Generation`, `WorkerConnection<Backend>`) on every request: about 1,200
/// instructions per lookup, more than a protocol witness call costs.
public final class TableServer: @unchecked Sendable {
    /// A loaded configuration and its number; `update` installs a new one.
    struct Generation {
        var number: Int
        var backend: any TableBackend
    }

    /// `Program.load` of the backend program, for `update`.
    typealias Loader = (_ argument: String, _ logger: Logger) throws(ConfigErrors) -> any TableBackend

    let argument: String
    private(set) var logger: Logger
    /// Whether debug messages are logged (`-v`); fixed at start.
    private let logsDebug: Bool
    let input: Int32
    let output: Int32
    private let load: Loader
    private let generation: Locked<Generation>
    /// `generation`'s number, readable without the lock: a request whose connection belongs
    /// to the current generation (nearly all of them) takes no lock to find that out.
    private let generationNumber = Atomic<Int>(0)
    private let writeLock = Lock()
    private let updateLock = Lock()
    private let queue = BlockingQueue<Request>()
    /// Requests handed to workers and not answered yet.
    private let inFlight = Atomic<Int>(0)
    /// `Backend.concurrency` connections, fixed at start (`update` does not resize it).
    private let connections: ConnectionSlots

    public init<Program: TableProgram>(_ program: Program.Type, argument: String, backend: Program.Backend,
                                       logger: Logger, input: Int32 = 0, output: Int32 = 1) {
        self.argument = argument
        self.logger = logger
        self.logsDebug = logger.minimumLevel <= .debug
        self.input = input
        self.output = output
        self.load = { (argument, logger) throws(ConfigErrors) in try Program.load(argument, logger: logger) }
        self.generation = Locked(Generation(number: 0, backend: backend))
        self.connections = ConnectionSlots(count: max(1, backend.concurrency))
    }

    /// Runs until end of input; returns the exit status.
    public func run() -> Int32 {
        var reader = LineReader(fd: input)
        do {
            guard try handshake(&reader) else {
                logger.error("end of input before config|ready")
                return 1
            }
            let backend = generation.withLock { $0.backend }
            var registration = ""
            for service in backend.services { registration += "register|\(service)\n" }
            registration += "register|ready\n"
            send(Array(registration.utf8))

            let workers = (0..<connections.count).map { slot in WorkerThread { [self] in work(slot: slot) } }
            workers.forEach { $0.start() }
            // Each request is parsed where it lies in the reader's buffer.
            while let (parsed, length) = try reader.withNextLine({ (RequestParser.parse(buffer: $0, truncated: $1), $0.count) }) {
                dispatch(parsed, length: length, inlineIf: !reader.hasBufferedLine)
            }
            queue.close()
            workers.forEach { $0.join() }
            return 0
        } catch {
            logger.error("reading requests: \(error)")
            queue.close()
            return 1
        }
    }

    /// Reads `config|...` lines until `config|ready`; false at end of input.
    func handshake(_ reader: inout LineReader) throws(SystemError) -> Bool {
        while let line = try reader.next() {
            let text = String(decoding: line.bytes, as: UTF8.self)
            if text == "config|ready" { return true }
            guard text.hasPrefix("config|") else {
                logger.warning("ignoring unexpected line before config|ready")
                continue
            }
            let parts = text.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            switch parts[1] {
            case "tablename":
                logger.table = String(parts[2])
            case "protocol" where parts[2] != Substring(RequestParser.protocolVersion):
                logger.warning("smtpd speaks table protocol \(parts[2]); this backend speaks \(RequestParser.protocolVersion)")
            case "smtpd-version":
                logger.debug("smtpd version \(parts[2])")
            default:
                break
            }
        }
        return false
    }

    /// Answers or queues one parsed line of `length` bytes.
    private func dispatch(_ parsed: ParsedLine, length: Int, inlineIf nothingBuffered: Bool) {
        switch parsed {
        case .request(let request):
            if nothingBuffered && inFlight.load(ordering: .acquiring) == 0 {
                // No worker is answering now, and none gets a request until this thread
                // queues one: the first worker's connection is free.
                handle(request, &connections[0])
            } else {
                inFlight.add(1, ordering: .relaxed)
                queue.push(request)
            }
        case .invalid(let address, let reason):
            logger.warning("\(address.logDescription): \(reason)")
            send(Reply.encodeError(address, reason: reason))
        case .unanswerable(let reason):
            // The line itself is not logged: it may hold an auth key.
            logger.warning("skipping a line of \(length) bytes: \(reason)")
        }
    }

    /// One worker thread: answers queued requests on the connection in `slot`.
    private func work(slot: Int) {
        while let request = queue.pop() {
            handle(request, &connections[slot])
            inFlight.subtract(1, ordering: .releasing)
        }
    }

    /// Answers one request on the calling thread's connection and sends the reply.
    private func handle(_ request: Request, _ connection: inout WorkerConnection) {
        let answer = request.operation == .update ? update(&connection) : serve(request, &connection)
        let sent = Reply.encode(operation: request.operation, id: request.idBytes, answer: answer, into: &connection.reply)
        if case .error(let message) = sent {
            logger.warning("\(Self.describe(request)): \(message)")
        } else if logsDebug {
            // Checked here first: calling `logger.debug` copies the logger (two Strings
            // retained and released) on every request even when debug messages are off.
            logger.debug("\(Self.describe(request)): \(sent == .notFound ? "not-found" : "found")")
        }
        send(connection.reply)
    }

    private func serve(_ request: Request, _ connection: inout WorkerConnection) -> Answer {
        do {
            let open: any TableConnection
            if let current = connection.current(generation: generationNumber.load(ordering: .acquiring)) {
                open = current
            } else {
                let current = generation.withLock { $0 }
                open = try connection.open(current.backend, generation: current.number, logger: logger)
            }
            let answer = open.answer(request)
            if !open.isUsable { connection.drop() }
            return answer
        } catch {
            return .error(error.message)
        }
    }

    /// Re-reads the configuration and swaps it in only if it loads and connects; otherwise
    /// answers `error` and keeps serving with the old one.
    private func update(_ connection: inout WorkerConnection) -> Answer {
        updateLock.withLock {
            let backend: any TableBackend
            do throws(ConfigErrors) {
                backend = try load(argument, logger)
            } catch {
                for problem in error.problems { logger.error("update: \(problem)") }
                return .error("configuration not reloaded: \(error.problems.first?.description ?? "invalid")")
            }
            let fresh: any TableConnection
            do throws(TableError) {
                fresh = try backend.connect()
            } catch {
                logger.error("update: \(error.message)")
                return .error("configuration not reloaded: \(error.message)")
            }
            let old = generation.withLock { $0 }
            if old.backend.services != backend.services {
                logger.warning("update: the services changed to \(backend.services.map(\.rawValue)); smtpd keeps the ones registered at start until it restarts")
            }
            let number = old.number + 1
            generation.withLock { $0 = Generation(number: number, backend: backend) }
            generationNumber.store(number, ordering: .releasing)
            connection.adopt(fresh, generation: number)
            logger.info("configuration reloaded")
            return Answer.hit
        }
    }

    private func send(_ line: [UInt8]) {
        do {
            try writeLock.withLock { () throws(SystemError) in try FileIO.writeAll(output, line) }
        } catch {
            // smtpd is gone: nobody is left to answer.
            logger.error("writing reply: \(error)")
            exit(1)
        }
    }

    /// A request as it may appear in a log line (`lookup alias "key"`, `fetch source`,
    /// `update`): never with an auth key, which holds the password.
    static func describe(_ request: Request) -> String {
        switch request.operation {
        case .update: return "update"
        case .fetch: return "fetch \(request.service)"
        case .check, .lookup:
            let key = request.service == .auth
                ? "<auth key>" : "\"\(String(decoding: request.key.prefix(200), as: UTF8.self))\""
            return "\(request.operation) \(request.service) \(key)"
        }
    }
}

/// The server's connections, one per worker: worker `i` uses slot `i`, and the reader
/// slot 0 when no request is in flight (so worker 0 is between requests).
///
/// Not a pool threads take from and give back to: that cost a lock and two copies of the
/// connection state per request (640 instructions per table-socketmap lookup). Who uses a
/// slot when is fixed instead, and the hand-overs already order the accesses: the reader
/// queues a request (a mutex) after it last used slot 0, and reads `inFlight` (acquiring)
/// as 0 only after every worker released its slot (releasing).
final class ConnectionSlots: @unchecked Sendable {
    let count: Int
    private let slots: UnsafeMutablePointer<WorkerConnection>

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: WorkerConnection(), count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    subscript(slot: Int) -> WorkerConnection {
        get { slots[slot] }
        _modify { yield &slots[slot] }
    }
}

/// A connection slot and when it may try to connect again after a failure.
///
/// Backoff grows from 0.1 s to at most 1 s, so a server that is down costs one fast `error`
/// per request instead of a connect timeout each, and service is back within a second of
/// the server's return.
struct WorkerConnection {
    private var connection: (any TableConnection)?
    private var generation = -1
    private var failures = 0
    private var nextAttempt = 0.0
    private var lastError = ""
    /// The reply line, rebuilt in place for every reply on this connection (see `Reply.encode`).
    var reply: [UInt8] = []

    static var maximumBackoff: Double { 1.0 }

    /// The open connection, if it belongs to generation `current`.
    func current(generation current: Int) -> (any TableConnection)? {
        generation == current ? connection : nil
    }

    mutating func open(_ backend: any TableBackend, generation current: Int, logger: Logger) throws(TableError) -> any TableConnection {
        if generation != current {
            // A new configuration: the old connection and the old one's failures (and their
            // backoff) no longer apply.
            drop()
            failures = 0
            generation = current
        }
        if let connection { return connection }
        let now = monotonicSeconds()
        if failures > 0 && now < nextAttempt {
            throw TableError(.connection, lastError)
        }
        do {
            let fresh = try backend.connect()
            if failures > 0 { logger.info("connected again after \(failures) failed attempt(s)") }
            failures = 0
            connection = fresh
            generation = current
            return fresh
        } catch {
            failures += 1
            lastError = error.message
            nextAttempt = now + min(0.1 * Double(1 << min(failures - 1, 10)), Self.maximumBackoff)
            logger.error(error.message)
            throw error
        }
    }

    mutating func adopt(_ fresh: any TableConnection, generation number: Int) {
        connection = fresh
        generation = number
        failures = 0
    }

    mutating func drop() {
        connection = nil
    }
}
