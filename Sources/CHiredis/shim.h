#ifndef CHIREDIS_SHIM_H
#define CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <sys/time.h>

/// The reply types are macros in read.h; give Swift typed constants.
static inline int CHiredis_replyString(void) { return REDIS_REPLY_STRING; }
static inline int CHiredis_replyArray(void) { return REDIS_REPLY_ARRAY; }
static inline int CHiredis_replyInteger(void) { return REDIS_REPLY_INTEGER; }
static inline int CHiredis_replyNil(void) { return REDIS_REPLY_NIL; }
static inline int CHiredis_replyStatus(void) { return REDIS_REPLY_STATUS; }
static inline int CHiredis_replyError(void) { return REDIS_REPLY_ERROR; }

/// redisCommandArgv returns `void *`: a `redisReply *`, or NULL when the context failed.
static inline redisReply *CHiredis_commandArgv(redisContext *c, int argc, const char **argv, const size_t *argvlen) {
    return (redisReply *)redisCommandArgv(c, argc, argv, argvlen);
}
#endif
