/* Helpers shared by the file readers and writers (.npy, safetensors): error messages and
   writing a file atomically. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int tgc__fail(char *err, size_t errlen, const char *fmt, ...) {
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return 1;
}

int tgc__write_atomically(const char *path, int (*write)(FILE *f, void *context), void *context, char *err, size_t errlen) {
    size_t tmp_len = strlen(path) + 32;
    char *tmp = malloc(tmp_len);
    if (tmp == NULL) tgc_fatal("out of memory");
    snprintf(tmp, tmp_len, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        tgc__fail(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        free(tmp);
        return 1;
    }
    int bad = write(f, context) != 0 || fflush(f) != 0;
    int saved_errno = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        saved_errno = errno;
    }
    if (!bad && rename(tmp, path) != 0) {
        bad = 1;
        saved_errno = errno;
    }
    if (bad) {
        tgc__fail(err, errlen, "cannot write '%s': %s", path, saved_errno ? strerror(saved_errno) : "write failed");
        remove(tmp);
    }
    free(tmp);
    return bad;
}
