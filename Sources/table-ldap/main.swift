import TableProtocol
#if canImport(Glibc)
import Glibc
#endif

// libldap initialises Cyrus SASL on first use, and SASL loads every plugin it finds (with
// OpenSSL and Berkeley DB behind them: about 2 MB of memory). table-ldap only does simple
// binds, so unless the administrator set SASL_PATH, point SASL at a directory with none.
setenv("SASL_PATH", "/nonexistent/table-ldap/no-sasl-plugins", 0)

TableMain.run(LDAPTable.self)
