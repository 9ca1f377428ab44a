#if canImport(Glibc)
import Glibc
#endif
import TableDriver

/// table-bench: drives a table binary over the protocol as smtpd does and prints figures.
///
///     table-bench [--count N] [--windows 1,16] [--operation lookup] [--service alias]
///                 --key-template 'user{}@example.org' [--key-count 10000]
///                 BINARY TABLE-ARGUMENT
///
/// It starts BINARY with argv[0] = "bench" and argv[1] = TABLE-ARGUMENT on a socketpair,
/// times the handshake, then sends COUNT requests for keys made from the template (`{}`
/// replaced by 1...key-count in a scrambled order) with at most W outstanding, for each W in
/// --windows, and prints requests/s, p50/p99 latency, the backend's CPU time per request and
/// its peak RSS.
/// To pin the driver and the backend to one core, as the issues' figures were measured, run
/// it under `taskset -c 0`: the backend inherits the affinity.
///
/// The backend's stderr goes to a file (`--backend-stderr PATH`, default a new file in /tmp),
/// as smtpd's is /dev/null once it runs as a daemon, never to the terminal or a pipe: a
/// backend that logs every request would otherwise be sped up by the reader of that pipe
/// keeping the core awake (measured: the C table-redis, which logs each query, does 14.0k
/// lookups/s with its stderr on a pipe and 11.4k with it on /dev/null). What it wrote is
/// kept and named at the end; an empty file is removed.
///
/// With `--soak N [--report-every 100000] [--update-every 10000] [--miss-template T]
/// [--error-service S]` it runs the leak soak instead (see Soak.swift) and exits 1 if it
/// fails.
struct Options {
    var binary = ""
    var argument = ""
    var count = 10_000
    var windows = [1, 16]
    var operation = "lookup"
    var service = "alias"
    var keyTemplate = "user{}@example.org"
    var keyCount = 10_000
    var warmup = 1_000
    var backendStderr: String?
    var soak: Soak?
}

func fail(_ message: String) -> Never {
    let line = Array("table-bench: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

func number(_ text: String, _ name: String) -> Int {
    guard let value = Int(text), value > 0 else { fail("bad \(name): \(text)") }
    return value
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = Array(CommandLine.arguments.dropFirst())
    var positional: [String] = []
    var soak = Soak(count: 0, missTemplate: "")
    while !arguments.isEmpty {
        let argument = arguments.removeFirst()
        func value() -> String {
            guard !arguments.isEmpty else { fail("\(argument) needs a value") }
            return arguments.removeFirst()
        }
        switch argument {
        case "--count": options.count = number(value(), argument)
        case "--windows": options.windows = value().split(separator: ",").map { number(String($0), argument) }
        case "--operation": options.operation = value()
        case "--service": options.service = value()
        case "--key-template": options.keyTemplate = value()
        case "--key-count": options.keyCount = number(value(), argument)
        case "--warmup": options.warmup = Int(value()) ?? 0
        case "--backend-stderr": options.backendStderr = value()
        case "--soak": soak.count = number(value(), argument)
        case "--report-every": soak.reportEvery = number(value(), argument)
        case "--update-every": soak.updateEvery = number(value(), argument)
        case "--miss-template": soak.missTemplate = value()
        case "--error-service": soak.errorService = value()
        case "-h", "--help":
            print("usage: table-bench [--count N] [--windows 1,16] [--operation OP] [--service S] [--key-template T] [--key-count N] [--backend-stderr PATH] BINARY ARGUMENT")
            print("       table-bench --soak N [--report-every N] [--update-every N] [--miss-template T] [--error-service S] [--service S] [--key-template T] BINARY ARGUMENT")
            exit(0)
        default: positional.append(argument)
        }
    }
    guard positional.count == 2 else { fail("expected BINARY and ARGUMENT; see --help") }
    if soak.count > 0 {
        if soak.missTemplate.isEmpty { soak.missTemplate = "missing-" + options.keyTemplate }
        options.soak = soak
    }
    options.binary = positional[0]
    options.argument = positional[1]
    return options
}

/// Keys 1...count in a scrambled but repeatable order, so lookups do not walk the index.
func keys(_ options: Options) -> [[UInt8]] {
    var order = Array(1...max(1, options.keyCount))
    var state: UInt64 = 0x9E3779B97F4A7C15
    for index in stride(from: order.count - 1, to: 0, by: -1) {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        order.swapAt(index, Int((state >> 33) % UInt64(index + 1)))
    }
    return order.map { Array(options.keyTemplate.replacingAll("{}", with: String($0)).utf8) }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

struct Run {
    var seconds: Double
    var latencies: [Double]
    var found = 0
    var notFound = 0
    var errors = 0
}

/// Sends `count` requests keeping at most `window` outstanding; matches replies by id.
///
/// Works on bytes and numeric ids: the driver shares the core with the backend (both under
/// `taskset -c 0`), so whatever it spends per request is taken from the backend. Building
/// each line with string interpolation, keying the send times by id strings and splitting
/// each reply into Strings cost about 13 µs per request at window 16, a third of what
/// table-mysql itself spends.
func drive(_ table: TableProcess, _ options: Options, keys: [[UInt8]], count: Int, window: Int) throws -> Run {
    var sentAt: [UInt32: Double] = [:]
    sentAt.reserveCapacity(window * 2)
    var run = Run(seconds: 0, latencies: [])
    run.latencies.reserveCapacity(count)
    let start = monotonicNow()
    var sent = 0
    var received = 0
    let hasKey = options.operation == "check" || options.operation == "lookup"
    var batch: [UInt8] = []
    while received < count {
        batch.removeAll(keepingCapacity: true)
        if sent < count && sent - received < window {
            // One timestamp per batch, as smtpd's would barely move within one.
            let prefix = table.requestLine(options.operation, service: options.service, id: "", key: nil)
            while sent < count && sent - received < window {
                let id = table.makeNumericID()
                batch += prefix
                batch += TableProcess.hexDigits(id)
                if hasKey {
                    batch.append(UInt8(ascii: "|"))
                    batch += keys[sent % keys.count]
                }
                batch.append(0x0A)
                sentAt[id] = monotonicNow()
                sent += 1
            }
            try table.send(batch)
        }
        // Every reply already read is counted before the window is refilled, so that the
        // refill goes out in one write instead of one per reply.
        guard var outcome = try table.withNextLine(timeout: 30, Reply.parse) else {
            throw DriverError("table closed its output")
        }
        while true {
            guard let (id, status) = outcome, let started = sentAt.removeValue(forKey: id) else {
                throw DriverError("unexpected reply")
            }
            run.latencies.append(monotonicNow() - started)
            switch status {
            case .found: run.found += 1
            case .notFound: run.notFound += 1
            case .other: run.errors += 1
            }
            received += 1
            guard let next = table.withBufferedLine(Reply.parse) else { break }
            outcome = next
        }
    }
    run.seconds = monotonicNow() - start
    return run
}

/// The parts of a reply line `<op>-result|<id>|<status>[|...]` the benchmark counts.
enum Reply {
    enum Status { case found, notFound, other }

    static func parse(_ line: ArraySlice<UInt8>) -> (id: UInt32, status: Status)? {
        guard let bar = line.firstIndex(of: UInt8(ascii: "|")), line.endIndex - bar > 9,
              line[bar + 9] == UInt8(ascii: "|") else { return nil }
        var id: UInt32 = 0
        for byte in line[(bar + 1)..<(bar + 9)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            id = id << 4 | UInt32(digit)
        }
        let rest = line[(bar + 10)...]
        let status = rest.prefix { $0 != UInt8(ascii: "|") }
        if status.elementsEqual("found".utf8) { return (id, .found) }
        if status.elementsEqual("not-found".utf8) { return (id, .notFound) }
        return (id, .other)
    }
}

func format(_ value: Double, _ digits: Int = 1) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    return digits == 0 ? String(Int(rounded)) : String(rounded)
}

/// A new empty file for the backend's stderr, unless --backend-stderr named one.
func backendStderrPath(_ options: Options) -> String {
    if let path = options.backendStderr { return path }
    var template = Array("/tmp/table-bench-stderr.XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { fail("cannot create a file for the backend's stderr: \(String(cString: strerror(errno)))") }
    close(fd)
    return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// Names the file if the backend wrote anything, removes it otherwise.
func reportBackendStderr(_ path: String, _ options: Options) {
    var info = stat()
    guard stat(path, &info) == 0 else { return }
    if info.st_size > 0 {
        print("  backend stderr: \(info.st_size) bytes in \(path)")
    } else if options.backendStderr == nil {
        unlink(path)
    }
}

let options = parseOptions()
let keyList = keys(options)
let stderrPath = backendStderrPath(options)
do {
    let spawned = monotonicNow()
    let table = try TableProcess(executable: options.binary, tableName: "bench", arguments: [options.argument], stderrPath: stderrPath)
    let services = try table.handshake()
    let startup = monotonicNow() - spawned
    print("\(options.binary.split(separator: "/").last!) \(options.argument)")
    print("  registered: \(services.joined(separator: ", "))")
    print("  startup + handshake: \(format(startup * 1000, 2)) ms")
    if let soak = options.soak {
        let passed = try soak.run(table, options, keys: keyList, registered: services)
        table.closeInput()
        print("  exit status: \(table.wait(timeout: 10).map(String.init) ?? "still running")")
        reportBackendStderr(stderrPath, options)
        exit(passed ? 0 : 1)
    }
    if options.warmup > 0 {
        _ = try drive(table, options, keys: keyList, count: options.warmup, window: 1)
    }
    for window in options.windows {
        let cpuBefore = table.cpuNanoseconds()
        let run = try drive(table, options, keys: keyList, count: options.count, window: window)
        let cpuAfter = table.cpuNanoseconds()
        let sorted = run.latencies.sorted()
        let p50 = sorted[sorted.count / 2] * 1e6
        let p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)] * 1e6
        print("  \(options.operation) \(options.service), window \(window): \(format(Double(options.count) / run.seconds, 0)) req/s, p50 \(format(p50)) us, p99 \(format(p99)) us (found \(run.found), not-found \(run.notFound), error \(run.errors))")
        // The backend's own CPU time (user and kernel) per request: unlike the rate, it leaves
        // out the driver and the time spent waiting for the server or the scheduler.
        if let cpuBefore, let cpuAfter, cpuAfter >= cpuBefore {
            print("  backend CPU, window \(window): \(format(Double(cpuAfter - cpuBefore) / Double(options.count) / 1000, 2)) us per request")
        }
    }
    if let rss = table.peakRSSKiB() {
        print("  peak RSS: \(format(Double(rss) / 1024, 2)) MiB")
    }
    table.closeInput()
    let status = table.wait(timeout: 10)
    print("  exit status: \(status.map(String.init) ?? "still running")")
    reportBackendStderr(stderrPath, options)
} catch {
    reportBackendStderr(stderrPath, options)
    fail("\(error)")
}
