#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H
#include <malloc.h>

/// mallopt(3)'s M_MMAP_THRESHOLD, which the Glibc module does not bring in (malloc.h is not
/// part of it). Setting it also turns off glibc's dynamic raising of the threshold.
static inline int CMalloc_set_mmap_threshold(int bytes) {
    return mallopt(M_MMAP_THRESHOLD, bytes);
}
#endif
