import COpenLDAP
import TableProtocol
#if canImport(Glibc)
import Glibc
#endif

/// One libldap handle (`LDAP *`), owned by one thread at a time: connected to one of the
/// configured URLs, with every network step bounded by the configured timeout.
final class LDAPHandle {
    let ld: OpaquePointer
    let url: LDAPServerURL
    /// The time each network step may take now: the request's remaining time (see `limit`).
    private(set) var timeoutSeconds: Double

    /// libldap initialises its TLS library the first time a context is made, with a plain
    /// counter: workers connecting at the same moment make their TLS contexts one at a time.
    private static let tlsSetupLock = Locked<Void>(())

    /// Result codes that mean the connection itself is gone or unusable (libldap's negative
    /// client-side codes), as opposed to the server refusing one operation.
    static func isConnectionFailure(_ code: Int32) -> Bool {
        code == LDAP_SERVER_DOWN || code == LDAP_TIMEOUT || code == LDAP_CONNECT_ERROR
            || code == LDAP_LOCAL_ERROR || code == LDAP_ENCODING_ERROR || code == LDAP_DECODING_ERROR
            || code == LDAP_NO_MEMORY || code == LDAP_UNAVAILABLE || code == LDAP_BUSY
    }

    /// What a failed operation's result code means for the connection: the server gone
    /// (`.closed`: a new connection may answer at once), out of time, broken, or, for a
    /// code the server sent, only this request refused.
    static func failureKind(_ code: Int32) -> TableError.Kind {
        switch code {
        case LDAP_SERVER_DOWN, LDAP_CONNECT_ERROR, LDAP_UNAVAILABLE, LDAP_BUSY: .closed
        case LDAP_TIMEOUT: .timedOut
        case _ where isConnectionFailure(code): .broken
        default: .request
        }
    }

    static func describe(_ code: Int32) -> String {
        "\(String(cString: ldap_err2string(code))) (\(code))"
    }

    /// ldap_initialize plus the per-handle options: LDAPv3, network and operation timeouts,
    /// referral chasing, TLS settings (CA file, verification, then a fresh TLS context so
    /// they apply to this handle only), then StartTLS when asked. Does not bind.
    init(_ url: LDAPServerURL, config: LDAPConfig, deadline: Deadline) throws(TableError) {
        var handle: OpaquePointer?
        let status = ldap_initialize(&handle, url.url)
        guard status == LDAP_SUCCESS, let handle else {
            throw TableError(.refused, "\(url.url): \(Self.describe(status))")
        }
        self.ld = handle
        self.url = url
        self.timeoutSeconds = Double(config.timeoutSeconds)
        _ = COpenLDAP_set_int(ld, LDAP_OPT_PROTOCOL_VERSION, LDAP_VERSION3)
        limit(to: deadline)
        _ = COpenLDAP_set_referrals(ld, config.followReferrals ? 1 : 0)
        if url.isLDAPS || url.startTLS {
            let created = Self.tlsSetupLock.withLock { _ in
                if let caFile = config.caFile {
                    _ = COpenLDAP_set_string(ld, LDAP_OPT_X_TLS_CACERTFILE, caFile)
                }
                _ = COpenLDAP_set_int(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, config.tlsVerify ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER)
                return COpenLDAP_set_int(ld, LDAP_OPT_X_TLS_NEWCTX, 0)
            }
            guard created == LDAP_SUCCESS else {
                throw TableError(.refused, "\(url.url): cannot set up TLS: \(Self.describe(created))")
            }
        }
        if url.startTLS {
            let started = ldap_start_tls_s(ld, nil, nil)
            guard started == LDAP_SUCCESS else {
                throw TableError(.refused, "\(url.url): StartTLS failed: \(diagnostic(started))")
            }
        }
    }

    /// Bounds every following network step (connect, TLS, bind, search) by what is left until
    /// `deadline`, so that one request never waits more than `timeout` in all, however many
    /// steps (search for the DN, then bind as the user; several URLs) it takes.
    func limit(to deadline: Deadline) {
        timeoutSeconds = max(0.001, deadline.remaining)
        _ = COpenLDAP_set_timeout(ld, LDAP_OPT_NETWORK_TIMEOUT, timeoutSeconds)
        _ = COpenLDAP_set_timeout(ld, LDAP_OPT_TIMEOUT, timeoutSeconds)
    }

    deinit {
        ldap_unbind_ext_s(ld, nil, nil)
    }

    /// A simple bind; returns libldap's result code (LDAP_SUCCESS, LDAP_INVALID_CREDENTIALS...).
    /// An empty password is refused by the caller, never sent (RFC 4513 unauthenticated bind).
    func bind(dn: String, password: [UInt8]) -> Int32 {
        password.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                COpenLDAP_simple_bind(ld, dn, chars.baseAddress, chars.count)
            }
        }
    }

    /// Reads replies in large chunks from now on (see COpenLDAP_add_readahead): a search then
    /// costs one read instead of four and no second poll. For connections that will search.
    func readAhead() {
        _ = COpenLDAP_add_readahead(ld)
    }

    /// The server's or libldap's message for a failed operation, never holding a secret.
    func diagnostic(_ code: Int32) -> String {
        var message: UnsafeMutablePointer<CChar>?
        var text = Self.describe(code)
        if ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &message) == LDAP_SUCCESS, let message {
            let detail = String(cString: message)
            ldap_memfree(message)
            // libldap reports a failed TLS handshake or certificate check with this non-text.
            if !detail.isEmpty && detail != "(unknown error code)" { text += ": \(detail)" }
        }
        if (url.isLDAPS || url.startTLS) && (code == LDAP_SERVER_DOWN || code == LDAP_CONNECT_ERROR) {
            text += " (or the TLS handshake failed: check ca_file, and that the certificate names the URL's host)"
        }
        return text
    }

    /// How a search ended when it did not give entries.
    /// Runs a subtree search under `base` and calls `entry` for each entry returned, in server
    /// order. Success and sizeLimitExceeded (the entries up to the limit) end normally; any
    /// other result code is a `.request` failure (the directory refused the search on a
    /// working connection). Search references are skipped unless libldap chases them
    /// (`referrals yes`). The whole result is read before the first entry is handed over,
    /// so a connection lost on the way is `.closed` before any entry was seen.
    func search(base: String, filter: [CChar], attributes: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
                sizeLimit: Int32, entry: (OpaquePointer) -> Void) throws(TableError) {
        var msgid: Int32 = 0
        let sent = filter.withUnsafeBufferPointer { filter in
            COpenLDAP_search(ld, base, filter.baseAddress, attributes, sizeLimit, timeoutSeconds, &msgid)
        }
        guard sent == LDAP_SUCCESS else {
            throw TableError(Self.failureKind(sent), "search: \(diagnostic(sent))")
        }
        var result: OpaquePointer?
        let type = COpenLDAP_result_all(ld, msgid, timeoutSeconds, &result)
        defer { if let result { ldap_msgfree(result) } }
        if type == 0 {
            ldap_abandon_ext(ld, msgid, nil, nil)
            throw TableError(.timedOut, "no answer from \(url.url) in time")
        }
        guard type > 0, let result else {
            let code = COpenLDAP_last_error(ld)
            throw TableError(Self.isConnectionFailure(code) ? Self.failureKind(code) : .broken, "search: \(diagnostic(code))")
        }
        var code: Int32 = LDAP_OTHER
        var message = ldap_first_message(ld, result)
        while let current = message {
            if COpenLDAP_is_entry(ld, current) != 0 {
                entry(current)
            } else if COpenLDAP_is_search_result(ld, current) != 0 {
                code = COpenLDAP_result_code(ld, current)
            }
            message = ldap_next_message(ld, current)
        }
        guard code == LDAP_SUCCESS || code == LDAP_SIZELIMIT_EXCEEDED else {
            throw TableError(.request, "search: \(Self.describe(code))")
        }
    }

    /// Every value of `attribute` in `entry` (matched case-insensitively by libldap).
    func values(_ entry: OpaquePointer, _ attribute: UnsafePointer<CChar>) -> [[UInt8]] {
        guard let values = ldap_get_values_len(ld, entry, attribute) else { return [] }
        defer { ldap_value_free_len(values) }
        var out: [[UInt8]] = []
        var index = 0
        while let value = values[index] {
            let berval = value.pointee
            out.append(berval.bv_val.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(berval.bv_len))) } ?? [])
            index += 1
        }
        return out
    }

    /// The first value of `attribute`, nil when the entry has none.
    func firstValue(_ entry: OpaquePointer, _ attribute: UnsafePointer<CChar>) -> [UInt8]? {
        guard let values = ldap_get_values_len(ld, entry, attribute) else { return nil }
        defer { ldap_value_free_len(values) }
        guard let first = values[0] else { return nil }
        let berval = first.pointee
        return berval.bv_val.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(berval.bv_len))) } ?? []
    }

    func distinguishedName(_ entry: OpaquePointer) -> String? {
        guard let dn = ldap_get_dn(ld, entry) else { return nil }
        defer { ldap_memfree(dn) }
        return String(cString: dn)
    }

    /// Why `filter` does not parse as an LDAP search filter (nil when it does), using the
    /// parser ldap_search_ext uses, on a handle that never connects.
    static func filterSyntaxProblem(_ filter: [CChar]) -> String? {
        var handle: OpaquePointer?
        guard ldap_initialize(&handle, "ldap://127.0.0.1") == LDAP_SUCCESS, let handle else { return nil }
        defer { ldap_unbind_ext_s(handle, nil, nil) }
        let status = filter.withUnsafeBufferPointer { COpenLDAP_check_filter(handle, $0.baseAddress) }
        return status == LDAP_SUCCESS ? nil : "not a valid LDAP search filter (RFC 4515)"
    }
}

/// A NULL-terminated `char *[]` of attribute names for ldap_search_ext, kept for the life of
/// a connection instead of being rebuilt for every search.
final class CStringArray {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointer = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { pointer[index] = strdup(string) }
        pointer[strings.count] = nil
    }

    subscript(index: Int) -> UnsafePointer<CChar> { UnsafePointer(pointer[index]!) }

    deinit {
        for index in 0..<count { free(pointer[index]) }
        pointer.deallocate()
    }
}
