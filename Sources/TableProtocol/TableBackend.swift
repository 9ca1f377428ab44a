/// A failure a backend reports instead of an answer: it becomes `error|<message>` for smtpd
/// and one log line, so the message must never hold a secret.
public struct TableError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The database, directory or server could not be reached or was lost.
        case connection
        /// A query or search failed on a working connection.
        case query
        /// The data found cannot be turned into a valid answer (NULL, bad format, too large).
        case data
        /// The request asks for something this table cannot do.
        case unsupported
        /// The configuration cannot be used (e.g. a statement does not prepare).
        case configuration
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Everything a backend program tells the shared command line and server loop about itself.
///
/// A backend is two types: the loaded configuration (`Backend`, immutable and shared by all
/// threads, replaced as a whole on `update`) and its connections (`Backend.Connection`,
/// each owned by one worker thread at a time, so C handles need no locking).
public protocol TableProgram {
    associatedtype Backend: TableBackend

    /// `sqlite` for table-sqlite: the smtpd.conf prefix.
    static var name: String { get }
    /// What argv[1] is, for usage messages (`CONFIG`, `PASSWD-FILE`, `SOCKET`).
    static var argumentName: String { get }

    /// Reads argv[1] and returns the configured backend, or every problem found.
    /// Must not wait on a network server: connections are opened by `Backend.connect()`.
    static func load(_ argument: String, logger: Logger) throws(ConfigErrors) -> Backend
}

public protocol TableBackend: AnyObject, Sendable {
    associatedtype Connection: TableConnection

    /// The services to register at the handshake: exactly those this configuration can answer.
    var services: [Service] { get }

    /// How many requests may run at once, each on its own thread and connection (the reader
    /// thread's included; see `TableServer`).
    var concurrency: Int { get }

    /// Opens a connection (or whatever per-thread state the backend needs) and prepares
    /// everything it will use, so that `table-NAME -n` can report broken queries.
    func connect() throws(TableError) -> Connection
}

public protocol TableConnection: AnyObject {
    /// Answers one check, lookup or fetch. Never called for `update` and never for a service
    /// the parser rejected; called on the owning worker thread only.
    func answer(_ request: Request) -> Answer

    /// False once the connection is known to be broken; the server then drops it and the
    /// next request connects again.
    var isUsable: Bool { get }
}

extension TableConnection {
    public var isUsable: Bool { true }
}
