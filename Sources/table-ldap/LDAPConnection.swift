import COpenLDAP
import TableProtocol

/// One bound connection to the directory, owned by one worker thread at a time, answering
/// requests with synchronous searches bounded by the request's deadline.
///
/// A lost or stuck connection throws (`LDAPHandle.failureKind`), and `RecoveringConnection`
/// replaces it, trying the `url` lines in order again; a directory that closed an idle
/// connection is sent the search once more on the new one.
final class LDAPConnection: TableConnection {
    let config: LDAPConfig
    private let handle: LDAPHandle
    private var attributeLists: [Service: CStringArray] = [:]
    /// RFC 4511 "1.1": no attributes, for checks and DN searches.
    private let noAttributes = CStringArray(["1.1"])

    init(_ config: LDAPConfig, deadline: Deadline) throws(TableError) {
        self.config = config
        handle = try Self.connectAndBind(config, deadline: deadline)
        for (service, search) in config.searches {
            if let attributes = search.attributes { attributeLists[service] = CStringArray(attributes) }
        }
    }

    /// Tries each URL in order and binds with `username`/`password` (anonymous when both are
    /// empty); the first that works is used.
    static func connectAndBind(_ config: LDAPConfig, deadline: Deadline) throws(TableError) -> LDAPHandle {
        var failures: [String] = []
        for url in config.urls {
            guard !deadline.hasPassed else {
                failures.append("\(url.url): not tried, the timeout was used up")
                continue
            }
            do {
                let handle = try LDAPHandle(url, config: config, deadline: deadline)
                let code = handle.bind(dn: config.bindDN, password: Array(config.password.utf8))
                if code == LDAP_SUCCESS {
                    handle.readAhead()
                    return handle
                }
                let who = config.bindDN.isEmpty ? "anonymously" : "as \"\(config.bindDN)\""
                failures.append("\(url.url): bind \(who) failed: \(handle.diagnostic(code))")
            } catch {
                failures.append(error.message)
            }
        }
        throw TableError(.refused, failures.joined(separator: "; "))
    }

    /// Answers a check or lookup the configuration serves (`LDAPTable.refusal` names the
    /// rest): one request, one deadline, whatever number of steps it takes.
    func answer(_ request: Request, until deadline: Deadline) throws(TableError) -> Answer {
        handle.limit(to: deadline)
        if request.service == .auth {
            return try authenticate(request.key, table: request.table, deadline: deadline)
        }
        guard let search = config.searches[request.service] else { return .error("no \(request.service)_filter configured") }
        if request.operation == .check { return try check(search, request) }
        guard let attributes = attributeLists[request.service] else { return .error("no \(request.service)_attributes configured") }
        return try lookup(search, attributes, request)
    }

    /// The search filter for a request, from its key and table name as they came.
    private static func filter(_ template: LDAPTemplate, _ request: Request) -> [CChar] {
        request.withKey { key in request.withTable { table in template.expand(key: key, table: table) } }
    }

    /// Found when at least one entry matches; no attributes are transferred.
    private func check(_ search: LDAPSearch, _ request: Request) throws(TableError) -> Answer {
        var found = false
        try handle.search(base: config.baseDN, filter: Self.filter(search.filter, request),
                          attributes: noAttributes.pointer, sizeLimit: 1) { _ in found = true }
        return found ? .hit : .notFound
    }

    /// The answer formats of upstream's man page: alias and mailaddrmap join every value of
    /// the attribute from every entry; the other services take the first value of each
    /// attribute from the last entry that has them all (credentials `user:hash`, userinfo
    /// `uid:gid:home`). The shared `LookupValue` does the joining, prefix stripping and checks.
    private func lookup(_ search: LDAPSearch, _ attributes: CStringArray, _ request: Request) throws(TableError) -> Answer {
        let service = search.service
        let source = "\(service)_attributes"
        var joined = LookupValue(service: service, source: source)
        var last: [[UInt8]]?
        try handle.search(base: config.baseDN, filter: Self.filter(search.filter, request),
                          attributes: attributes.pointer, sizeLimit: 100) { entry in
            if service.joinsAllRows {
                for value in handle.values(entry, attributes[0]) where joined.wantsMoreRows {
                    joined.add(columns: 1) { _ in value }
                }
                return
            }
            var values: [[UInt8]] = []
            for index in 0..<attributes.count {
                guard let value = handle.firstValue(entry, attributes[index]) else { return }
                values.append(value)
            }
            last = values
        }
        if service.joinsAllRows { return joined.answer() }
        guard let last else { return .notFound }
        var value = LookupValue(service: service, source: source)
        value.add(columns: last.count) { last[$0] }
        return value.answer()
    }

    /// `check auth user:password`: finds the user's DN (`auth_dn_template`, or an
    /// `auth_filter` search that must match exactly one entry) and binds as it on a fresh
    /// connection. Wrong password and unknown user are not-found; an empty password is
    /// not-found without any bind (an empty simple bind is an anonymous bind, which many
    /// servers accept); a directory that cannot be reached is an error.
    private func authenticate(_ key: [UInt8], table: String, deadline: Deadline) throws(TableError) -> Answer {
        guard let colon = key.firstIndex(of: UInt8(ascii: ":")) else {
            return .error("auth key is not user:password")
        }
        let user = Array(key[..<colon])
        let password = Array(key[(colon + 1)...])
        guard !user.isEmpty, !password.isEmpty else { return .notFound }

        let dn: String
        if let template = config.authDNTemplate {
            dn = String(decoding: template.expand(key: user, table: table).dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } else if let filter = config.authFilter {
            var names: [String] = []
            try handle.search(base: config.baseDN, filter: filter.expand(key: user, table: table),
                              attributes: noAttributes.pointer, sizeLimit: 2) { entry in
                if let name = handle.distinguishedName(entry) { names.append(name) }
            }
            guard let first = names.first else { return .notFound }
            guard names.count == 1 else { return .error("auth_filter matches several entries for one user") }
            dn = first
        } else {
            return .error("no auth_filter or auth_dn_template configured")
        }
        return bind(dn: dn, password: password, deadline: deadline)
    }

    /// Binds as `dn` on a new handle (never on the service connection, whose identity must
    /// not change), trying the URLs in order while they cannot be reached.
    private func bind(dn: String, password: [UInt8], deadline: Deadline) -> Answer {
        var failures: [String] = []
        for url in config.urls {
            guard !deadline.hasPassed else {
                failures.append("\(url.url): not tried, the timeout was used up")
                continue
            }
            let userHandle: LDAPHandle
            do {
                userHandle = try LDAPHandle(url, config: config, deadline: deadline)
            } catch {
                failures.append(error.message)
                continue
            }
            let code = userHandle.bind(dn: dn, password: password)
            switch code {
            case LDAP_SUCCESS:
                return .hit
            case LDAP_INVALID_CREDENTIALS, LDAP_INAPPROPRIATE_AUTH, LDAP_UNWILLING_TO_PERFORM, LDAP_INVALID_DN_SYNTAX:
                return .notFound
            default:
                if LDAPHandle.isConnectionFailure(code) {
                    failures.append("\(url.url): \(userHandle.diagnostic(code))")
                    continue
                }
                return .error("bind: \(userHandle.diagnostic(code))")
            }
        }
        return .error("auth: \(failures.joined(separator: "; "))")
    }
}
