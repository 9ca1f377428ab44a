import TableProtocol
#if canImport(Glibc)
import Glibc
#endif

/// One service's search: the `<service>_filter` and `<service>_attributes` lines.
struct LDAPSearch: Sendable {
    var service: Service
    var filter: LDAPTemplate
    /// The attribute names to fetch, in the order the answer uses them; nil when the config
    /// gives none (allowed for the services smtpd only checks).
    var attributes: [String]?
    var filterLine: Int
}

/// The keywords of a table-ldap config file: upstream's (`url`, `username`, `password`,
/// `basedn`, `ca_file`, `<service>_filter`, `<service>_attributes`) plus ours (several `url`
/// lines for failover, `starttls`, `tls_verify`, `timeout`, `referrals`, `max_connections`,
/// `auth_filter`, `auth_dn_template`).
struct LDAPConfig: TableConfig {
    var path: String
    var urls: [LDAPServerURL]
    var bindDN: String
    var password: String
    var baseDN: String
    var caFile: String?
    var tlsVerify: Bool
    var followReferrals: Bool
    var settings: TableSettings
    var searches: [Service: LDAPSearch]
    var authFilter: LDAPTemplate?
    var authDNTemplate: LDAPTemplate?

    /// The services upstream has filter keywords for, with the number of attributes each
    /// answer is built from, in registration order.
    static let serviceKeys: [(service: Service, attributes: Int)] = [
        (.alias, 1), (.domain, 1), (.credentials, 2), (.netaddr, 1),
        (.userinfo, 3), (.mailaddr, 1), (.mailaddrmap, 1),
    ]

    /// Services smtpd looks up (and so need attributes); the others it only checks.
    static let lookedUp: Set<Service> = [.alias, .credentials, .userinfo, .mailaddrmap]

    static let keywords: [String] =
        ["url", "username", "password", "basedn", "ca_file", "starttls", "tls_verify",
         "referrals", "auth_filter", "auth_dn_template"]
        + TableSettings.keywords()
        + serviceKeys.flatMap { ["\($0.service)_filter", "\($0.service)_attributes"] }

    var authEnabled: Bool { authFilter != nil || authDNTemplate != nil }

    /// What to register at the handshake: every service with a filter, and `auth` when
    /// authentication by bind is configured.
    var services: [Service] {
        Self.serviceKeys.map(\.service).filter { searches[$0] != nil } + (authEnabled ? [.auth] : [])
    }

    static func load(_ path: String, logger: Logger) throws(ConfigErrors) -> LDAPConfig {
        var reader = ConfigReader(try ConfigFile.load(path), keywords: keywords, repeatable: ["url"])

        let startTLS = reader.boolean("starttls", default: false)
        var urls: [LDAPServerURL] = []
        for entry in reader.entries("url") {
            do {
                urls.append(try LDAPServerURL(entry.value ?? "", startTLSByDefault: startTLS))
            } catch {
                reader.report(entry.line, error.message)
            }
        }
        if reader.entries("url").isEmpty {
            reader.report(nil, "missing \"url\": the LDAP server, e.g. url ldap://127.0.0.1")
        }
        let baseDN = reader.string("basedn")
        if baseDN == nil {
            reader.report(nil, "missing \"basedn\": where searches start, e.g. basedn dc=example,dc=org")
        }

        var searches: [Service: LDAPSearch] = [:]
        for (service, count) in serviceKeys {
            let filterKey = "\(service)_filter", attributesKey = "\(service)_attributes"
            let attributes = Self.attributes(&reader, key: attributesKey, count: count)
            guard let entry = reader.entry(filterKey), let text = entry.value else {
                if let line = reader.entry(attributesKey)?.line {
                    logger.warning("\(path):\(line): \(attributesKey) is unused without \(filterKey)")
                }
                continue
            }
            guard let filter = Self.filter(&reader, text, line: entry.line, key: filterKey) else { continue }
            if attributes == nil && lookedUp.contains(service) && reader.entry(attributesKey) == nil {
                reader.report(entry.line, "\(filterKey) needs \(attributesKey) (\(count) attribute\(count == 1 ? "" : "s")) to answer lookups")
            }
            searches[service] = LDAPSearch(service: service, filter: filter, attributes: attributes, filterLine: entry.line)
        }

        var authFilter: LDAPTemplate?
        if let entry = reader.entry("auth_filter"), let text = entry.value {
            authFilter = Self.filter(&reader, text, line: entry.line, key: "auth_filter")
        }
        var authDNTemplate: LDAPTemplate?
        if let entry = reader.entry("auth_dn_template"), let text = entry.value {
            do {
                let template = try LDAPTemplate(text, escaping: .distinguishedName)
                if template.usesKey {
                    authDNTemplate = template
                } else {
                    reader.report(entry.line, "auth_dn_template must contain %u, where the user name goes")
                }
            } catch {
                reader.report(entry.line, "auth_dn_template: \(error.message)")
            }
            if authFilter != nil {
                reader.report(entry.line, "give auth_filter or auth_dn_template, not both")
            }
        }
        if searches.isEmpty && authFilter == nil && authDNTemplate == nil && reader.problems.isEmpty {
            reader.report(nil, "no service configured: give at least one <service>_filter (alias_filter, credentials_filter...) or auth_filter")
        }

        if let entry = reader.entry("ca_file"), let file = entry.value, access(file, R_OK) != 0 {
            reader.report(entry.line, "ca_file \"\(file)\" cannot be read")
        }
        let tlsVerify = reader.boolean("tls_verify", default: true)
        let settings = TableSettings(&reader, connections: 4)
        let referrals = reader.boolean("referrals", default: false)
        try reader.finish()

        let password = reader.string("password") ?? ""
        if !password.isEmpty { ConfigReader.warnIfWorldReadable(path, logger: logger) }
        return LDAPConfig(path: path, urls: urls, bindDN: reader.string("username") ?? "", password: password,
                          baseDN: baseDN ?? "", caFile: reader.string("ca_file"), tlsVerify: tlsVerify,
                          followReferrals: referrals, settings: settings, searches: searches, authFilter: authFilter, authDNTemplate: authDNTemplate)
    }

    /// A `*_attributes` value: names split at `,` and trimmed (upstream kept the spaces of
    /// `uid, mail`, so its own example never matched), exactly `count` of them.
    static func attributes(_ reader: inout ConfigReader, key: String, count: Int) -> [String]? {
        guard let entry = reader.entry(key), let text = entry.value else { return nil }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        }
        if names.contains(where: \.isEmpty) {
            reader.report(entry.line, "\(key): an empty attribute name in \"\(text)\"")
            return nil
        }
        if let bad = names.first(where: { name in !name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ";" || $0 == ".") } }) {
            reader.report(entry.line, "\(key): \"\(bad)\" is not an attribute name")
            return nil
        }
        guard names.count == count else {
            reader.report(entry.line, "\(key) needs \(count) attribute\(count == 1 ? "" : "s"), not \(names.count): \(expectedAttributes(key))")
            return nil
        }
        return names
    }

    static func expectedAttributes(_ key: String) -> String {
        switch key {
        case "credentials_attributes": "user name, password hash"
        case "userinfo_attributes": "uid, gid, home directory"
        default: "the attribute that holds the value"
        }
    }

    /// A filter template: its placeholders checked, and its syntax checked by libldap's own
    /// filter parser with a sample key.
    static func filter(_ reader: inout ConfigReader, _ text: String, line: Int, key: String) -> LDAPTemplate? {
        do {
            let template = try LDAPTemplate(text, escaping: .filter)
            if let problem = LDAPHandle.filterSyntaxProblem(template.expand(key: Array("user@example.org".utf8), table: "table")) {
                reader.report(line, "\(key): \(problem)")
                return nil
            }
            return template
        } catch {
            reader.report(line, "\(key): \(error.message)")
            return nil
        }
    }
}
