#if canImport(Glibc)
import Glibc
#endif
import TableDriver

/// `table-bench --soak N`: N mixed requests sent one at a time, as smtpd sends them, to find
/// leaks that only show after hours of mail, in a process smtpd keeps for as long as it
/// runs: memory that grows and descriptors that are never closed.
///
/// The mix, by request number i: every `updateEvery`-th request is an `update` (the whole
/// config reloaded and the connections replaced); of the others, 7 in 10 are hits (keys from
/// --key-template), 2 in 10 misses (--miss-template) and 1 in 10 asks a service the table
/// did not register (an error). Every reply is checked against what it must be.
///
/// After each `reportEvery` requests it prints the backend's current RSS (VmRSS) and peak
/// RSS (VmHWM) and its open descriptors. It passes when every reply was right, VmRSS grew by
/// less than 1 MiB between the first and the last report, and the backend holds as many
/// descriptors at the end as after the warm-up (both counted after a plain hit, so that
/// connections opened lazily are open in both counts).
struct Soak {
    var count: Int
    var reportEvery = 100_000
    var updateEvery = 10_000
    var missTemplate: String
    /// The service asked for the errors; nil: the first of `errorCandidates` the table did
    /// not register.
    var errorService: String?

    /// smtpd's services but `source`: a table registers source only when it can answer
    /// smtpd's fetch (`fetch_source`), but answers a lookup of it whenever a `query_source`
    /// (or table-redis' default command) exists, as upstream did: such a lookup is no error.
    static let errorCandidates = ["alias", "domain", "credentials", "netaddr", "userinfo", "mailaddr", "addrname", "mailaddrmap"]

    static let allowedGrowthKiB = 1024

    enum Kind { case hit, miss, error, update }

    static func kind(of index: Int, updateEvery: Int) -> Kind {
        if (index + 1) % updateEvery == 0 { return .update }
        switch index % 10 {
        case 7, 8: return .miss
        case 9: return .error
        default: return .hit
        }
    }

    /// Runs the soak on a table that finished its handshake; returns true when it passed.
    func run(_ table: TableProcess, _ options: Options, keys: [[UInt8]], registered: [String]) throws -> Bool {
        let unregistered = errorService ?? Soak.errorCandidates.first { !registered.contains($0) } ?? "nosuchservice"
        let isCheck = options.operation == "check"
        func hit(_ index: Int) throws -> String {
            try table.request(options.operation, options.service, keyBytes: keys[index % keys.count], timeout: 30)
        }

        for index in 0..<1_000 { _ = try hit(index) }
        let descriptorsBefore = table.openDescriptorCount() ?? -1
        print("  soak: \(count) requests (7/10 hits, 2/10 misses, 1/10 \(unregistered) errors, update every \(updateEvery)), one at a time")
        print("  open descriptors after warm-up: \(descriptorsBefore)")
        // Reports as they come, also through a pipe (scripts/soak.sh tees them).
        fflush(nil)

        var wrong = 0
        var firstRSS: Int?
        var lastRSS = 0
        var started = monotonicNow()
        for index in 0..<count {
            let reply: String
            let expected: (String) -> Bool
            switch Soak.kind(of: index, updateEvery: updateEvery) {
            case .hit:
                reply = try hit(index)
                expected = { isCheck ? $0 == "found" : $0.hasPrefix("found|") }
            case .miss:
                let key = missTemplate.replacingAll("{}", with: String(index))
                reply = try table.request(options.operation, options.service, key: key, timeout: 30)
                expected = { $0 == "not-found" }
            case .error:
                reply = try table.request(options.operation, unregistered, key: "soak\(index)", timeout: 30)
                expected = { $0.hasPrefix("error|") }
            case .update:
                reply = try table.request("update", timeout: 30)
                expected = { $0 == "ok" }
            }
            if !expected(reply) {
                wrong += 1
                if wrong <= 5 { print("  request \(index): unexpected reply \"\(reply)\"") }
            }
            if (index + 1) % reportEvery == 0 || index + 1 == count {
                let rss = ProcStatus.value("VmRSS", pid: table.pid) ?? 0
                let peak = table.peakRSSKiB() ?? 0
                let rate = Double((index % reportEvery) + 1) / (monotonicNow() - started)
                if firstRSS == nil { firstRSS = rss }
                lastRSS = rss
                print("  after \(index + 1): VmRSS \(rss) KiB, VmHWM \(peak) KiB, \(table.openDescriptorCount() ?? -1) fds, \(format(rate, 0)) req/s")
                fflush(nil)
                started = monotonicNow()
            }
        }
        _ = try hit(0)
        let descriptorsAfter = table.openDescriptorCount() ?? -1
        let growth = lastRSS - (firstRSS ?? lastRSS)
        let passed = wrong == 0 && growth < Soak.allowedGrowthKiB && descriptorsAfter == descriptorsBefore
        print("  open descriptors at the end: \(descriptorsAfter) (after warm-up: \(descriptorsBefore))")
        print("  VmRSS growth from the first to the last report: \(growth) KiB (limit \(Soak.allowedGrowthKiB - 1))")
        print("  wrong replies: \(wrong)")
        print("  soak \(passed ? "PASSED" : "FAILED")")
        return passed
    }
}
