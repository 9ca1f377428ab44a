#ifndef COPENLDAP_SHIM_H
#define COPENLDAP_SHIM_H
#include <lber.h>
#include <ldap.h>
#include <stddef.h>
#include <sys/time.h>

/* Swift cannot import macros that are casts (LDAP_SCOPE_SUBTREE, LDAP_SASL_SIMPLE,
 * LDAP_OPT_ON, LDAP_RES_*) nor build a struct berval inline as C does: these wrappers do. */

/// ldap_set_option for an int-valued option (LDAP_OPT_PROTOCOL_VERSION, TLS settings...).
static inline int COpenLDAP_set_int(LDAP *ld, int option, int value) {
    return ldap_set_option(ld, option, &value);
}

/// ldap_set_option for a timeval-valued option (LDAP_OPT_NETWORK_TIMEOUT, LDAP_OPT_TIMEOUT).
static inline struct timeval COpenLDAP_timeval(double seconds) {
    if (seconds < 0.001) seconds = 0.001;
    struct timeval tv = { (time_t)seconds, (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6) };
    return tv;
}

static inline int COpenLDAP_set_timeout(LDAP *ld, int option, double seconds) {
    struct timeval tv = COpenLDAP_timeval(seconds);
    return ldap_set_option(ld, option, &tv);
}

/// ldap_set_option(LDAP_OPT_REFERRALS, LDAP_OPT_ON / LDAP_OPT_OFF).
static inline int COpenLDAP_set_referrals(LDAP *ld, int on) {
    return ldap_set_option(ld, LDAP_OPT_REFERRALS, on ? LDAP_OPT_ON : LDAP_OPT_OFF);
}

/// ldap_set_option for a string option (LDAP_OPT_X_TLS_CACERTFILE).
static inline int COpenLDAP_set_string(LDAP *ld, int option, const char *value) {
    return ldap_set_option(ld, option, value);
}

/// A simple bind (ldap_sasl_bind_s with LDAP_SASL_SIMPLE): the password as a counted berval.
static inline int COpenLDAP_simple_bind(LDAP *ld, const char *dn, const char *password, size_t length) {
    struct berval credentials;
    credentials.bv_len = length;
    credentials.bv_val = (char *)password;
    return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &credentials, NULL, NULL, NULL);
}

/// ldap_search_ext on the whole subtree under `base`, with a server-side time limit.
static inline int COpenLDAP_search(LDAP *ld, const char *base, const char *filter, char **attributes,
                                   int sizelimit, double seconds, int *msgid) {
    struct timeval tv = COpenLDAP_timeval(seconds);
    return ldap_search_ext(ld, base, LDAP_SCOPE_SUBTREE, filter, attributes, 0, NULL, NULL,
                           &tv, sizelimit, msgid);
}

/// ldap_result for every message of `msgid`, waiting at most `seconds`.
/// Returns the message type, 0 on timeout, -1 on failure.
static inline int COpenLDAP_result_all(LDAP *ld, int msgid, double seconds, LDAPMessage **result) {
    struct timeval tv = COpenLDAP_timeval(seconds);
    return ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, result);
}

static inline int COpenLDAP_is_entry(LDAP *ld, LDAPMessage *message) {
    return ldap_msgtype(message) == LDAP_RES_SEARCH_ENTRY;
}

static inline int COpenLDAP_is_search_result(LDAP *ld, LDAPMessage *message) {
    return ldap_msgtype(message) == LDAP_RES_SEARCH_RESULT;
}

/// The result code of a SearchResultDone (or bind) message, without freeing it.
static inline int COpenLDAP_result_code(LDAP *ld, LDAPMessage *message) {
    int code = LDAP_OTHER;
    if (ldap_parse_result(ld, message, &code, NULL, NULL, NULL, NULL, 0) != LDAP_SUCCESS)
        return LDAP_OTHER;
    return code;
}

/// The handle's last result code (LDAP_OPT_RESULT_CODE), e.g. after ldap_result failed.
static inline int COpenLDAP_last_error(LDAP *ld) {
    int code = LDAP_OTHER;
    ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &code);
    return code;
}

/// Checks a search filter's syntax with libldap's own parser (the one ldap_search_ext uses),
/// by encoding it as an assertion control value. Returns LDAP_SUCCESS or LDAP_FILTER_ERROR.
static inline int COpenLDAP_check_filter(LDAP *ld, const char *filter) {
    struct berval value = { 0, NULL };
    int rc = ldap_create_assertion_control_value(ld, (char *)filter, &value);
    if (value.bv_val != NULL) ldap_memfree(value.bv_val);
    return rc;
}
/// Puts liblber's read-ahead layer under the handle's connection (above TCP, below TLS):
/// libldap otherwise reads each reply message with two read(2) calls and polls between the
/// entry and the result of a search. Call after the connection exists (after the bind).
static inline int COpenLDAP_add_readahead(LDAP *ld) {
    Sockbuf *sb = NULL;
    if (ldap_get_option(ld, LDAP_OPT_SOCKBUF, &sb) != LDAP_OPT_SUCCESS || sb == NULL) return -1;
    return ber_sockbuf_add_io(sb, &ber_sockbuf_io_readahead, LBER_SBIOD_LEVEL_PROVIDER, NULL);
}
#endif
