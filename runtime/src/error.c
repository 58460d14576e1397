/* Fatal errors: "error: <message>" (or "<where>: error: <message>") on stderr, then exit(1)
   (MPI_Abort in a program running under MPI: tgc_exit_failure);
   or, on a thread with an error trap set (a library call), the message in the trap and a
   longjmp back to the call. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tgc_runtime.h"

static _Thread_local tgc_error_trap *current_trap;

tgc_error_trap *tgc_set_error_trap(tgc_error_trap *trap) {
    tgc_error_trap *previous = current_trap;
    current_trap = trap;
    return previous;
}

static TGC_NORETURN void report(const char *where, const char *fmt, va_list ap) {
    if (current_trap != NULL) {
        tgc_error_trap *trap = current_trap;
        current_trap = NULL;
        int used = (where && *where) ? snprintf(trap->message, sizeof trap->message, "%s: ", where) : 0;
        if (used < 0 || (size_t)used >= sizeof trap->message) used = 0;
        vsnprintf(trap->message + used, sizeof trap->message - (size_t)used, fmt, ap);
        longjmp(trap->jump, 1);
    }
    fflush(stdout);
    if (where && *where) fprintf(stderr, "%s: ", where);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
    tgc_exit_failure();
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
