/// One configured SQL statement: its config key, the service it answers, its text, the line it
/// was given on and the number of columns it must return.
///
/// A class, immutable: each request passes its query down to the backend, and copying a
/// struct retains and releases both of its strings every time.
package final class SQLQuery: Sendable, Equatable {
    package let key: String
    package let service: Service
    package let sql: String
    package let line: Int
    package let columns: Int
    /// Whether the key is bound to it (every `query_*`; `fetch_source` takes none).
    package let takesKey: Bool
    /// Its place among the statements a connection prepares, `0..<SQLQueries.slotCount`:
    /// backends keep their prepared statements in an array indexed by it, instead of a
    /// Dictionary that hashed the query's name on every request.
    package let slot: Int

    init(key: String, service: Service, sql: String, line: Int, columns: Int, takesKey: Bool, slot: Int) {
        self.key = key
        self.service = service
        self.sql = sql
        self.line = line
        self.columns = columns
        self.takesKey = takesKey
        self.slot = slot
    }

    package static func == (a: SQLQuery, b: SQLQuery) -> Bool {
        a.key == b.key && a.service == b.service && a.sql == b.sql && a.line == b.line
            && a.columns == b.columns && a.takesKey == b.takesKey && a.slot == b.slot
    }
}

extension SQLQuery {
    /// What is wrong with the statement as prepared, if anything: its column count, and
    /// whether it has a parameter for the key (a `query_*`) or none (`fetch_source`). The
    /// three SQL backends check the same thing after preparing; only the placeholder and
    /// the handling of extra parameters differ.
    ///
    /// - Parameters:
    ///   - placeholder: how the key is written in this dialect (`?`, `$1`).
    ///   - extraParameters: the problem when a `query_*` has more than one parameter, or
    ///     nil when the backend accepts that (SQLite binds the key to the first only).
    package func shapeProblem(columns: Int, parameters: Int, placeholder: String,
                             extraParameters: ((Int) -> String)?) -> String? {
        if columns != self.columns {
            return "must return \(self.columns) column\(self.columns == 1 ? "" : "s"), returns \(columns)"
        }
        if takesKey && parameters == 0 {
            return "has no parameter for the key (write \(placeholder) where the key goes)"
        }
        if takesKey && parameters > 1, let extraParameters {
            return extraParameters(parameters)
        }
        if !takesKey && parameters > 0 {
            return "takes no parameter, has \(parameters)"
        }
        return nil
    }
}
