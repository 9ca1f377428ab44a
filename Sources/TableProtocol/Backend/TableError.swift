/// Why a request was not answered: it becomes `error|<message>` for smtpd (a temporary
/// failure, 4xx) and one log line, so the message never holds a password, an auth key or a
/// credential value.
///
/// The kind says what became of the connection the request ran on, and so what the server
/// does next (`RecoveringConnection`, the one place that acts on it): every backend sorts its
/// library's failures into these kinds, and none decides for itself when to reconnect.
package struct TableError: Error, Sendable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// The request failed on a working connection (an SQL error, a search the directory
        /// refused, data that makes no valid answer): the connection is kept.
        case request
        /// The connection was found closed before any byte of the reply arrived (the server
        /// restarted, dropped an idle connection or killed the session): it is replaced and
        /// the request sent once more, which is safe because lookups change nothing.
        case closed
        /// No reply within the request's deadline: the connection is dropped (a late reply
        /// must never answer the next request) and the request is not sent again, since a
        /// server that hangs would only make smtpd wait twice as long.
        case timedOut
        /// No connection could be made: refused, unreachable, or set up but unusable
        /// (authentication, TLS, a statement that does not prepare). The server waits a
        /// little before trying again (`RecoveringConnection.backoff`).
        case refused
        /// The connection can no longer be trusted (half a reply, a reply nobody asked
        /// for, a protocol error): dropped, and the request not sent again.
        case broken
    }

    package var kind: Kind
    package var message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { message }

    /// The same failure with `prefix` in front of its message (`redis: `).
    package func prefixed(_ prefix: String) -> TableError {
        TableError(kind, prefix + message)
    }

    /// Whether the connection the request ran on is lost with it.
    package var losesConnection: Bool { kind != .request }
}
