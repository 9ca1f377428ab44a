/// One result row as a SQL backend hands it over: column `i`'s bytes, nil for SQL NULL.
package typealias SQLRow = (_ column: Int) -> [UInt8]?

/// How a SQL backend runs one prepared statement: binds `key` (nil for `fetch_source`; valid
/// only during the call), calls `row` for each result row until it returns false, and
/// throws what failed, sorted into `TableError.Kind`s.
package typealias SQLStatementRunner = (SQLQuery, _ key: UnsafeBufferPointer<UInt8>?, _ row: (SQLRow) -> Bool) throws(TableError) -> Void

extension SQLQueries {
    /// Answers a check, lookup or fetch the configuration serves (the server refused the
    /// rest, see `refusal`), the same way for every SQL backend: picks the query, has `run`
    /// execute it with the key bound, and turns the rows into the answer (`LookupValue`,
    /// `FetchRotation`, `CryptHash` for `auth`).
    ///
    /// `run` is the backend's one statement runner. It must throw a connection loss only
    /// before it has handed any row over, so that the request can be sent again.
    package func answer(_ request: Request, run: SQLStatementRunner) throws(TableError) -> Answer {
        switch request.operation {
        case .fetch:
            return try fetch(run: run)
        case .check where request.service == .auth:
            guard let query = lookup(for: .auth) else { return Self.notConfigured(.auth) }
            return try request.withKey { (key) throws(TableError) in try authenticate(key, query: query, run: run) }
        case .check:
            guard let query = lookup(for: request.service) else { return Self.notConfigured(request.service) }
            var found = false
            try request.withKey { (key) throws(TableError) in
                try run(query, key) { _ in
                    found = true
                    return false
                }
            }
            return found ? .hit : .notFound
        case .lookup:
            guard let query = lookup(for: request.service) else { return Self.notConfigured(request.service) }
            var value = LookupValue(service: request.service, source: query.key)
            try request.withKey { (key) throws(TableError) in
                try run(query, key) { column in
                    value.add(columns: query.columns, column)
                    return value.wantsMoreRows
                }
            }
            return value.answer()
        case .update:
            return .error("update is answered by the server")
        }
    }

    /// The `error` for a service without its query. Never inlined, like `fetch` and
    /// `authenticate`: the text and the rare paths stay out of the code of every lookup.
    @inline(never)
    private static func notConfigured(_ service: Service) -> Answer {
        .error("no query_\(service) configured")
    }

    /// `fetch source`: the next address of the rotation.
    @inline(never)
    private func fetch(run: SQLStatementRunner) throws(TableError) -> Answer {
        guard let query = fetchSource else { return .error("no fetch_source configured") }
        // The rotation keeps the addresses between fetches; a reload that fails is
        // thrown on, and the next fetch tries again.
        return try rotation.next { () throws(TableError) in
            var addresses: [[UInt8]] = []
            try run(query, nil) { column in
                if let address = column(0) { addresses.append(address) }
                return true
            }
            return addresses
        }
    }

    /// `check auth user:password`: fetches the user's stored hash with `query_auth` and
    /// verifies the password against it. Wrong password and unknown user are both not-found.
    @inline(never)
    private func authenticate(_ key: UnsafeBufferPointer<UInt8>, query: SQLQuery, run: SQLStatementRunner) throws(TableError) -> Answer {
        guard let colon = key.firstIndex(of: UInt8(ascii: ":")) else {
            return .error("auth key is not user:password")
        }
        let user = UnsafeBufferPointer(rebasing: key[..<colon])
        let password = Array(key[(colon + 1)...])
        var hash: [UInt8]? = nil
        try run(query, user) { column in
            hash = column(0)
            return false
        }
        guard let hash, !password.isEmpty else { return .notFound }
        return CryptHash.verify(password: password, hash: hash) ? .hit : .notFound
    }
}
