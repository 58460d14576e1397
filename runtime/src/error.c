/* Fatal errors: "error: <message>" (or "<where>: error: <message>") on stderr, then exit(1). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tgc_runtime.h"

static TGC_NORETURN void report(const char *where, const char *fmt, va_list ap) {
    fflush(stdout);
    if (where && *where) fprintf(stderr, "%s: ", where);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
    exit(1);
}

void tgc_fatal(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    report(NULL, fmt, ap);
}

void tgc_fatal_at(const char *where, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    report(where, fmt, ap);
}
