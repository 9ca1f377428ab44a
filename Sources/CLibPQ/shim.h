#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
#include <libpq-fe.h>

/// PG_DIAG_SQLSTATE is a character-literal macro, which Swift does not import: the five-letter
/// SQLSTATE of a failed result, or NULL when libpq has none (typically a lost connection).
static inline const char *CLibPQ_sqlstate(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_SQLSTATE);
}

/// The primary message of a failed result without its "ERROR:  " prefix and DETAIL lines
/// (PG_DIAG_MESSAGE_PRIMARY is a character-literal macro too), or NULL.
static inline const char *CLibPQ_primaryMessage(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
}
#endif
