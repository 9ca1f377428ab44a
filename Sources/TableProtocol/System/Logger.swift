#if canImport(Glibc)
import Glibc
#endif

/// One-line log messages on stderr: `table-NAME[<table>]: <level>: <message>`.
///
/// stdout belongs to the protocol, so nothing else may ever write there. Each line goes out as
/// one `write(2)`, so lines from several threads never interleave. Messages must never carry a
/// password, an `auth` key or a credential value: the server writes a request into a log
/// line only through `TableServer.describe`, which leaves out the key of an `auth` request.
package struct Logger: Sendable {
    package enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        case debug, info, warning, error

        package static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        package var description: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }
    }

    package var program: String
    package var table: String
    package var minimumLevel: Level
    package var fd: Int32

    package init(program: String, table: String, minimumLevel: Level = .info, fd: Int32 = 2) {
        self.program = program
        self.table = table
        self.minimumLevel = minimumLevel
        self.fd = fd
    }

    package func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard level >= minimumLevel else { return }
        var line = "\(program)[\(table)]: \(level): \(message())"
        // A message never spans lines: a CR or LF from a database error would break the log.
        line = String(line.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        line.append("\n")
        try? FileIO.writeAll(fd, Array(line.utf8))
    }

    package func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    package func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    package func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }
    package func error(_ message: @autoclosure () -> String) { log(.error, message()) }
}
