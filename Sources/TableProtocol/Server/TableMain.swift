import CMalloc
#if canImport(Glibc)
import Glibc
#endif

/// The version every backend prints with `--version`.
package enum TableVersion {
    package static let string = "0.1.0"
}

/// The command line every backend shares:
///
///     table-NAME ARG                              serve smtpd on stdin/stdout (argv[0] = table name)
///     table-NAME -n ARG                           check the configuration and exit
///     table-NAME ARG check|lookup|fetch SERVICE [KEY]   answer one request and print it
///     table-NAME -h | --version
///
/// `-v` adds debug messages to stderr.
package enum TableMain {
    enum Mode {
        case serve
        case checkConfig
        case oneRequest(Operation, Service, [UInt8])
    }

    package static func run<Table: TableBackend>(_ table: Table.Type) -> Never {
        // smtpd starts us with SIGPIPE ignored; do the same when run by hand, so that a
        // closed peer is an EPIPE error and not a silent death.
        signal(SIGPIPE, SIG_IGN)
        keepLargeBlocksMapped()
        exit(main(table, arguments: CommandLine.arguments))
    }

    /// Fixes glibc's mmap threshold at its starting value (128 KiB), so that every block that
    /// large is mapped on its own and given back to the system when freed.
    ///
    /// By default glibc raises the threshold to the size of each mapped block that is freed.
    /// The first `update` frees the tables the configuration loaded (table-passwd's whole
    /// file), so from then on blocks of that size come from the heap, where freed ones stay
    /// resident: how much memory a table keeps after an update then depends on how many
    /// updates it has seen, and in what order its blocks were freed. With the threshold fixed,
    /// a table holds its current tables and no leftovers of earlier ones. Measured with
    /// `scripts/soak.sh 100000 passwd` (10,000 users, an update every 10,000 requests, debug
    /// build): VmRSS after an update 24.2-25.3 MiB, and in one run 21.1 after the fifth update
    /// and 25.1 after the tenth, which failed the soak's 1 MiB limit; with the threshold fixed,
    /// 20.3-20.4 MiB after every update of every run, and VmHWM 23.1-23.2 MiB instead of
    /// 24.2-25.3. No request allocates a block this large.
    static func keepLargeBlocksMapped() {
        _ = CMalloc_set_mmap_threshold(128 * 1024)
    }

    static func main<Table: TableBackend>(_ table: Table.Type, arguments: [String]) -> Int32 {
        let programName = "table-\(Table.name)"
        let argv0 = arguments.first.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? programName
        var logger = Logger(program: programName, table: argv0)

        var checkOnly = false
        var positional: [String] = []
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if !positional.isEmpty || !argument.hasPrefix("-") || argument == "-" {
                positional.append(argument)
                continue
            }
            switch argument {
            case "-n": checkOnly = true
            case "-v": logger.minimumLevel = .debug
            case "-h", "--help":
                print(usage(programName, Table.argumentName))
                return 0
            case "--version":
                print("\(programName) (opensmtpd-tables) \(TableVersion.string)")
                return 0
            case "--":
                positional.append(contentsOf: arguments[index...])
                index = arguments.count
            default:
                printError("\(programName): unknown option \(argument)\n\(usage(programName, Table.argumentName))")
                return 1
            }
        }

        guard let argument = positional.first else {
            printError("\(programName): missing \(Table.argumentName)\n\(usage(programName, Table.argumentName))")
            return 1
        }
        let mode: Mode
        switch (checkOnly, positional.count) {
        case (_, 1):
            mode = checkOnly ? .checkConfig : .serve
        case (false, 3), (false, 4):
            guard let operation = Operation(rawValue: positional[1]), operation != .update else {
                printError("\(programName): the operation must be check, lookup or fetch, not \"\(positional[1])\"")
                return 1
            }
            guard let service = Service(rawValue: positional[2]), service != .none else {
                printError("\(programName): unknown service \"\(positional[2])\"; one of \(Service.allCases.dropFirst().map(\.rawValue).joined(separator: ", "))")
                return 1
            }
            // smtpd lowercases every key before sending it; do the same so the answer is the
            // one smtpd would get.
            let key = positional.count == 4 ? Array(positional[3].utf8).map(asciiLowercase) : []
            mode = .oneRequest(operation, service, key)
        default:
            printError(usage(programName, Table.argumentName))
            return 1
        }

        let backend: Table
        do {
            backend = try Table(loading: argument, logger: logger)
        } catch {
            for problem in error.problems { printError(problem.description) }
            if case .serve = mode { logger.error("cannot start: configuration has \(error.problems.count) problem(s)") }
            return 1
        }

        switch mode {
        case .serve:
            return TableServer.run(argument: argument, backend: backend, logger: logger)
        case .checkConfig:
            do throws(TableError) {
                _ = try backend.connect(until: Deadline(timeout: backend.requestTimeout))
            } catch {
                printError("\(argument): \(error.message)")
                return 1
            }
            print("configuration OK (serves \(backend.services.map(\.rawValue).joined(separator: ", ")))")
            if backend.cache.isEnabled { print(backend.cache) }
            return 0
        case .oneRequest(let operation, let service, let key):
            // The same path as a request from smtpd: refused if the configuration does not
            // serve it, otherwise answered on a connection made for it, and checked as a
            // reply would be.
            let request = Request(id: "cli", operation: operation, service: service, key: key, table: argv0)
            let answer: Answer
            if let refusal = Generation(number: 0, backend: backend).refusal(request) {
                answer = .error(refusal)
            } else {
                var connection = RecoveringConnection(backend: backend, timeout: backend.requestTimeout)
                answer = connection.answer(request, logger: logger)
            }
            let sent = Reply.checked(answer, for: operation)
            print(String(decoding: Reply.body(operation: operation, answer: sent), as: UTF8.self))
            switch sent {
            case .found: return 0
            case .notFound: return 1
            case .error: return 2
            }
        }
    }

    static func usage(_ programName: String, _ argumentName: String) -> String {
        """
        usage: \(programName) [-v] \(argumentName)
               \(programName) -n \(argumentName)
               \(programName) \(argumentName) check|lookup|fetch SERVICE [KEY]
               \(programName) -h | --version
        """
    }

    static func printError(_ message: String) {
        try? FileIO.writeAll(2, Array((message + "\n").utf8))
    }

    static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }
}
