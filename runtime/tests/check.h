/* The C tests' tiny check framework: CHECK(cond, fmt, ...) counts a pass or prints the failure
   with its line; each test program reports n_passed and n_failed at the end. */
#ifndef TGC_TESTS_CHECK_H
#define TGC_TESTS_CHECK_H
#include <stdarg.h>
#include <stdio.h>

#include "tgc_runtime.h"

static int n_passed, n_failed;

static void check_at(int ok, int line, const char *fmt, ...) TGC_PRINTF(3, 4);
static void check_at(int ok, int line, const char *fmt, ...) {
    if (ok) {
        n_passed++;
        return;
    }
    n_failed++;
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL (line %d): ", line);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}
#define CHECK(cond, ...) check_at((cond) ? 1 : 0, __LINE__, __VA_ARGS__)

#endif
