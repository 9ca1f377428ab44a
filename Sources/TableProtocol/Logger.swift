#if canImport(Glibc)
import Glibc
#endif

/// One-line log messages on stderr: `table-NAME[<table>]: <level>: <message>`.
///
/// stdout belongs to the protocol, so nothing else may ever write there. Each line goes out as
/// one `write(2)`, so lines from several threads never interleave. Messages must never carry a
/// password, an `auth` key or a credential value; callers pass keys through `redacted(_:)`
/// when the service is secret.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        case debug, info, warning, error

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }
    }

    public var program: String
    public var table: String
    public var minimumLevel: Level
    public var fd: Int32

    public init(program: String, table: String, minimumLevel: Level = .info, fd: Int32 = 2) {
        self.program = program
        self.table = table
        self.minimumLevel = minimumLevel
        self.fd = fd
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard level >= minimumLevel else { return }
        var line = "\(program)[\(table)]: \(level): \(message())"
        // A message never spans lines: a CR or LF from a database error would break the log.
        line = String(line.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        line.append("\n")
        try? FileIO.writeAll(fd, Array(line.utf8))
    }

    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
}
