#ifndef CCRYPT_SHIM_H
#define CCRYPT_SHIM_H
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

/// crypt_r(3) needs a `struct crypt_data` of about 32 KiB; allocate it on the heap so that
/// worker threads with small stacks can verify passwords. Returns a malloc'd copy of the hash
/// (free it with free(3)), or NULL when the setting is invalid.
static inline char *CCrypt_hash(const char *phrase, const char *setting) {
    struct crypt_data *data = calloc(1, sizeof(struct crypt_data));
    if (data == NULL) return NULL;
    char *out = crypt_r(phrase, setting, data);
    char *copy = NULL;
    /* libxcrypt returns a string starting with '*' on failure instead of NULL. */
    if (out != NULL && out[0] != '*') copy = strdup(out);
    explicit_bzero(data, sizeof(struct crypt_data));
    free(data);
    return copy;
}
#endif
