#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
#include <libpq-fe.h>

/// PG_DIAG_SQLSTATE is a character-literal macro, which Swift does not import: the five-letter
/// SQLSTATE of a failed result, or NULL when libpq has none (typically a lost connection).
static inline const char *CLibPQ_sqlstate(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_SQLSTATE);
}
#endif
