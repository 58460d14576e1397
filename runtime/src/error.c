/* Fatal errors: "error: <message>" on stderr, then exit(1). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tgc_runtime.h"

void tgc_fatal(const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    exit(1);
}
