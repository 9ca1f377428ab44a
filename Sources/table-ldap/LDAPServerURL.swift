import COpenLDAP
#if canImport(Glibc)
import Glibc
#endif
import TableProtocol

/// One `url` line, in the form libldap's `ldap_initialize` takes, and whether to send
/// StartTLS on it.
///
/// Upstream spellings kept: a bare host (`url: ldap.example.org`, as upstream's man page
/// writes it) means `ldap://`; `ldap+tls://` (which upstream refused) means `ldap://` with
/// StartTLS. libldap itself reads `ldap://`, `ldaps://` and `ldapi://`.
struct LDAPServerURL: Sendable, Equatable {
    /// What ldap_initialize gets.
    var url: String
    /// Send StartTLS after connecting (`ldap+tls://`, or `starttls yes` on an `ldap://` URL).
    var startTLS: Bool

    struct Invalid: Error {
        var message: String
    }

    init(_ text: String, startTLSByDefault: Bool) throws(Invalid) {
        let lowered = text.lowercased()
        var url = text
        var startTLS = false
        if lowered.hasPrefix("ldap+tls://") {
            url = "ldap://" + text.dropFirst("ldap+tls://".count)
            startTLS = true
        } else if lowered.hasPrefix("ldap://") {
            startTLS = startTLSByDefault
        } else if lowered.hasPrefix("ldaps://") || lowered.hasPrefix("ldapi://") {
            startTLS = false
        } else if text.includes("://") {
            throw Invalid(message: "unsupported URL scheme in \"\(text)\" (use ldap://, ldaps://, ldap+tls:// or ldapi://)")
        } else {
            url = "ldap://" + text
            startTLS = startTLSByDefault
        }
        var description: UnsafeMutablePointer<LDAPURLDesc>?
        let status = ldap_url_parse(url, &description)
        defer { if let description { ldap_free_urldesc(description) } }
        guard status == LDAP_URL_SUCCESS else {
            throw Invalid(message: "not a valid LDAP URL: \"\(text)\"")
        }
        self.url = url
        self.startTLS = startTLS
    }

    var isLDAPS: Bool { url.lowercased().hasPrefix("ldaps://") }
}
