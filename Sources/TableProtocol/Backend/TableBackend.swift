/// A backend: its name, how it loads its configuration, what a loaded configuration can
/// answer, and how it opens a connection.
///
/// A backend is two types: the loaded configuration (the conforming class, immutable and
/// shared by all threads, replaced as a whole on `update`) and its connections
/// (`Connection`, each owned by one thread at a time, so C handles need no locking).
///
/// The server asks `refusal(_:_:)` once per configuration for every operation and service,
/// and answers the requests it refuses itself: a connection's `answer` only ever sees a
/// check, lookup or fetch this configuration can serve.
package protocol TableBackend: AnyObject, Sendable {
    associatedtype Connection: TableConnection

    /// `sqlite` for table-sqlite: the smtpd.conf prefix.
    static var name: String { get }
    /// What argv[1] is, for usage messages: `CONFIG` unless the backend says otherwise
    /// (`PASSWD-FILE`, `SOCKET|CONFIG`).
    static var argumentName: String { get }

    /// Reads argv[1] (at start and on every `update`), or throws every problem found. Must
    /// not wait on a network server: connections are opened by `connect`.
    init(loading argument: String, logger: Logger) throws(ConfigErrors)

    /// The services to register at the handshake: exactly those this configuration can answer.
    var services: [Service] { get }

    /// Why this configuration cannot answer `operation` for `service` (the text of the
    /// `error` reply), or nil when it can. Never asked about `update`.
    func refusal(_ operation: Operation, _ service: Service) -> String?

    /// How many requests may run at once, each on its own connection (see `TableServer`).
    var concurrency: Int { get }

    /// Seconds one request may take in all, connecting included; nil for a backend that
    /// waits on no network server (its requests get `Deadline.never`).
    var requestTimeout: Double? { get }

    /// The answer cache the configuration asks for (`cache_*` keywords); off by default.
    var cache: CacheSettings { get }

    /// Opens a connection (or whatever per-thread state the backend needs) and prepares
    /// everything it will use, so that `table-NAME -n` can report broken queries. What it
    /// throws is a connection that could not be made, whatever its kind.
    func connect(until deadline: Deadline) throws(TableError) -> Connection
}

extension TableBackend {
    package static var argumentName: String { "CONFIG" }

    package var cache: CacheSettings { .off }

    /// Registered services are answered by check and lookup; fetch is refused.
    package func refusal(_ operation: Operation, _ service: Service) -> String? {
        operation != .fetch && services.contains(service) ? nil : "\(operation) \(service) is not served by this table"
    }
}

/// One connection of a backend, used by one thread at a time.
package protocol TableConnection: AnyObject {
    /// Answers one check, lookup or fetch that the configuration serves (the server
    /// refused the others), within `deadline`.
    ///
    /// A failure of the request alone is a `.request` error or an `.error` answer; any other
    /// kind of `TableError` means this connection is lost, and the server replaces it
    /// (`RecoveringConnection`).
    func answer(_ request: Request, until deadline: Deadline) throws(TableError) -> Answer
}
