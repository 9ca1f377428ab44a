import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The protocol loop smtpd talks to: handshake, then requests until end of input.
///
/// The calling thread reads stdin; worker threads take requests from a queue, each on its
/// own connection slot, and write each reply as one locked `write(2)`, so pipelined
/// requests run in parallel and are answered by id, possibly out of order. Every request
/// gets exactly one reply; a backend failure is an `error` reply, never an exit.
///
/// One request's path: the reader parses the line in place (`RequestParser`), then
/// `handle` answers `update` itself, refuses what the configuration cannot serve
/// (`Generation.refusal`), and otherwise asks the slot's `RecoveringConnection`, which
/// connects if need be and calls the backend's `answer`; the answer is checked and encoded
/// (`Reply`) into the slot's buffer and written.
///
/// When nothing else is in flight and no further request is already buffered (always the
/// case with smtpd, which waits for each answer), the reader answers the request itself:
/// handing it to a worker would cost two thread switches per request, a sixth of the time
/// of a SQLite lookup. Pipelined requests go to the `Backend.concurrency` workers.
/// There are `concurrency` connection slots, one per worker, and the reader answers on the
/// first worker's, which is idle whenever the reader answers: so all of them serve
/// pipelined requests, one-at-a-time traffic keeps to one connection, and there are never
/// more than `concurrency` connections.
///
/// The server is not generic over the backend: it holds it as `any TableBackend` and its
/// connections as `any TableConnection`. A generic server in this module, instantiated
/// from each backend's module, runs unspecialized there and looks up the metadata of its
/// generic types on every request: about 1,200 instructions per lookup, more than a
/// protocol witness call costs.
package final class TableServer: Sendable {
    private let argument: String
    private let logger: Logger
    /// Whether debug messages are logged (`-v`); fixed at start.
    private let logsDebug: Bool
    private let output: Int32
    private let generation: Locked<Generation>
    /// `generation`'s number, readable without the lock: a request whose slot belongs to
    /// the current generation (nearly all of them) takes no lock to find that out.
    private let generationNumber = Atomic<Int>(0)
    /// Held for each reply's write, so replies from several threads never interleave.
    private let writeLock = Locked<Void>(())
    /// Held through an update, so two updates never load and connect at once.
    private let updateLock = Locked<Void>(())
    private let queue = BlockingQueue<Request>()
    /// Requests handed to workers and not answered yet.
    private let inFlight = Atomic<Int>(0)
    /// `Backend.concurrency` slots, fixed at start (`update` does not resize it).
    private let slots: ConnectionSlots

    private init(argument: String, backend: any TableBackend, logger: Logger, output: Int32) {
        self.argument = argument
        self.logger = logger
        self.logsDebug = logger.minimumLevel <= .debug
        self.output = output
        self.generation = Locked(Generation(number: 0, backend: backend))
        self.slots = ConnectionSlots(count: max(1, backend.concurrency))
    }

    /// Serves smtpd on `input`/`output` until end of input; returns the exit status.
    package static func run(argument: String, backend: any TableBackend, logger: Logger,
                            input: Int32 = 0, output: Int32 = 1) -> Int32 {
        var reader = LineReader(fd: input)
        var logger = logger
        do {
            guard try Handshake.read(&reader, logger: &logger) else {
                logger.error("end of input before config|ready")
                return 1
            }
            let server = TableServer(argument: argument, backend: backend, logger: logger, output: output)
            return try server.serve(&reader)
        } catch {
            logger.error("reading requests: \(error)")
            return 1
        }
    }

    /// Registers the services, then answers requests until end of input.
    private func serve(_ reader: inout LineReader) throws(SystemError) -> Int32 {
        Handshake.registration(generation.withLock { $0.backend.services }).withUnsafeBytes { send($0) }
        var workers: [WorkerThread] = []
        defer {
            queue.close()
            workers.forEach { $0.join() }
        }
        // Each request is parsed where it lies in the reader's buffer, its key copied into
        // storage the next request reuses once this one is answered. (The line's length
        // comes out through a variable: a tuple result makes the reader's generic code
        // handle it through its type metadata, on every request.)
        var keyStorage: [UInt8] = []
        var length = 0
        while let parsed = try reader.withNextLine({ line, truncated in
            length = line.count
            return RequestParser.parse(buffer: line, truncated: truncated, keyStorage: &keyStorage)
        }) {
            dispatch(parsed, length: length, inlineIf: !reader.hasBufferedLine, workers: &workers)
        }
        return 0
    }

    /// Answers or queues one parsed line of `length` bytes; starts the workers when the
    /// first request is queued.
    ///
    /// They are not started before: smtpd sends one request at a time, the reader answers
    /// each, and a process with no other thread pays less for every system call on a file
    /// descriptor. The kernel takes and drops a reference to the open file only when the
    /// descriptor table is shared, so with two idle workers each of a SQLite lookup's nine
    /// such calls (read, write, four fcntl locks, pread) cost more: about 0.6 µs of kernel
    /// time per lookup, measured with `perf stat`, more than our whole user-space share.
    ///
    /// `consuming`: the line moves in, and the loop in `serve` has no optional left to
    /// destroy. That destroy went through a function the compiler shares between types,
    /// which looks up the type's metadata on every request (about 70 instructions).
    private func dispatch(_ parsed: consuming ParsedLine, length: Int, inlineIf nothingBuffered: Bool,
                          workers: inout [WorkerThread]) {
        switch parsed {
        case .request(let request):
            if nothingBuffered && inFlight.load(ordering: .acquiring) == 0 {
                // No worker is answering now, and none gets a request until this thread
                // queues one: the first worker's slot is free, and no other thread writes.
                handle(request, &slots[0], alone: true)
            } else {
                if workers.isEmpty {
                    workers = (0..<slots.count).map { slot in WorkerThread { [self] in work(slot: slot) } }
                    workers.forEach { $0.start() }
                }
                inFlight.add(1, ordering: .relaxed)
                queue.push(request)
            }
        case .invalid(let address, let reason):
            answerInvalid(address, reason: reason)
        case .unanswerable(let reason):
            skip(length: length, reason: reason)
        }
    }

    /// Answers `error` to a line the parser refused. Here, not in `dispatch` (never inlined):
    /// code for the rare cases, kept beside the code every request runs, would spread that
    /// code over more instruction-cache lines, which SQLite's share of a lookup then evicts.
    @inline(never)
    private func answerInvalid(_ address: ReplyAddress, reason: String) {
        logger.warning("\(address.logDescription): \(reason)")
        Reply.encodeError(address, reason: reason).withUnsafeBytes { send($0) }
    }

    /// Logs a line nobody can answer; the line itself is not logged: it may hold an auth key.
    @inline(never)
    private func skip(length: Int, reason: String) {
        logger.warning("skipping a line of \(length) bytes: \(reason)")
    }

    /// One worker thread: answers queued requests on its slot.
    private func work(slot: Int) {
        while let request = queue.pop() {
            handle(request, &slots[slot], alone: false)
            inFlight.subtract(1, ordering: .releasing)
        }
    }

    /// Answers one request on the calling thread's slot and sends the reply. `alone`: the
    /// reader answers while no request is in flight, so no worker can be writing a reply
    /// (each finishes its write before it counts its request done): the write needs no
    /// lock, which saves two pthread calls on every request smtpd sends.
    private func handle(_ request: Request, _ slot: inout ConnectionSlot, alone: Bool) {
        var cacheUse: CacheUse? = nil
        let answer = request.operation == .update ? update(&slot) : serve(request, &slot, cacheUse: &cacheUse)
        let (count, sent) = Reply.write(operation: request.operation, id: request.idBytes, answer: answer, into: slot.replyBuffer)
        send(UnsafeRawBufferPointer(rebasing: slot.replyBuffer[..<count]), locked: !alone)
        switch sent {
        case .error(let message):
            log(request, error: message)
        case .found, .notFound:
            // Checked here first: calling `logger.debug` copies the logger (two Strings
            // retained and released) on every request even when debug messages are off.
            if logsDebug { log(request, outcome: sent, cacheUse: cacheUse) }
        }
    }

    /// The log lines of `handle`, out of line like `answerInvalid`.
    @inline(never)
    private func log(_ request: Request, error message: String) {
        logger.warning("\(Self.describe(request)): \(message)")
    }

    @inline(never)
    private func log(_ request: Request, outcome sent: Reply.Outcome, cacheUse: CacheUse?) {
        let outcome = sent == .notFound ? "not-found" : "found"
        logger.debug("\(Self.describe(request)): \(outcome)\(cacheUse.map { " (cache \($0))" } ?? "")")
    }

    /// A check, lookup or fetch: refused here when the configuration cannot serve it,
    /// otherwise answered on the slot's connection.
    private func serve(_ request: Request, _ slot: inout ConnectionSlot, cacheUse: inout CacheUse?) -> Answer {
        if slot.generationNumber != generationNumber.load(ordering: .acquiring) {
            // A new configuration: the slot's connection was made for the old one.
            slot.adopt(generation.withLock { $0 })
        }
        guard Generation.isServed(request, in: slot.served) else { return Self.refuse(request, slot) }
        if let cache = slot.cache, AnswerCache.isCacheable(request) {
            let (answer, use) = cache.answer(request, logger: logger) { slot.connection!.attempt(request, logger: logger) }
            cacheUse = use
            return answer
        }
        return slot.connection!.answer(request, logger: logger)
    }

    /// The `error` for a request the configuration does not serve (out of line, see `answerInvalid`).
    @inline(never)
    private static func refuse(_ request: Request, _ slot: ConnectionSlot) -> Answer {
        .error(slot.generation?.refusal(request) ?? "not served")
    }

    /// Re-reads the configuration and swaps it in only if it loads and connects; otherwise
    /// answers `error` and keeps serving with the old one.
    private func update(_ slot: inout ConnectionSlot) -> Answer {
        updateLock.withLock { _ in
            let old = generation.withLock { $0 }
            let backend: any TableBackend
            do throws(ConfigErrors) {
                backend = try type(of: old.backend).init(loading: argument, logger: logger)
            } catch {
                for problem in error.problems { logger.error("update: \(problem)") }
                return .error("configuration not reloaded: \(error.problems.first?.description ?? "invalid")")
            }
            let fresh: any TableConnection
            do throws(TableError) {
                fresh = try backend.connect(until: Deadline(timeout: backend.requestTimeout))
            } catch {
                logger.error("update: \(error.message)")
                return .error("configuration not reloaded: \(error.message)")
            }
            if old.backend.services != backend.services {
                logger.warning("update: the services changed to \(backend.services.map(\.rawValue)); smtpd keeps the ones registered at start until it restarts")
            }
            let next = Generation(number: old.number + 1, backend: backend)
            generation.withLock { $0 = next }
            generationNumber.store(next.number, ordering: .releasing)
            slot.adopt(next)
            slot.connection!.adopt(fresh)
            logger.info("configuration reloaded")
            return Answer.hit
        }
    }

    private func send(_ line: UnsafeRawBufferPointer, locked: Bool = true) {
        do {
            if locked {
                try writeLock.withLock { _ throws(SystemError) in try FileIO.writeAll(output, line) }
            } else {
                try FileIO.writeAll(output, line)
            }
        } catch {
            Self.exitAfterLosingSmtpd(error, logger: logger)
        }
    }

    /// smtpd is gone: nobody is left to answer.
    @inline(never)
    private static func exitAfterLosingSmtpd(_ error: SystemError, logger: Logger) -> Never {
        logger.error("writing reply: \(error)")
        exit(1)
    }

    /// A request as it may appear in a log line (`lookup alias "key"`, `fetch source`,
    /// `update`): never with an auth key, which holds the password.
    static func describe(_ request: Request) -> String {
        switch request.operation {
        case .update: return "update"
        case .fetch: return "fetch \(request.service)"
        case .check, .lookup:
            let key = request.service == .auth
                ? "<auth key>" : "\"\(request.withKey { String(decoding: $0.prefix(200), as: UTF8.self) })\""
            return "\(request.operation) \(request.service) \(key)"
        }
    }
}
