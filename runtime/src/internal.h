/* Helpers shared between runtime source files; not part of the public API. */
#ifndef TGC_INTERNAL_H
#define TGC_INTERNAL_H

#include "tgc_runtime.h"

/* Appends n bytes of text. */
void tgc__str_append_n(tgc_str *s, const char *text, size_t n);
/* Appends count copies of c. */
void tgc__str_append_repeat(tgc_str *s, char c, size_t count);

/* Python's format(v, ".{p}f") / format(v, ".{p}e") into buf (NUL-terminated, always fits
   when bufsize >= TGC__NUMBUF); returns the length. Non-finite values give nan/inf/-inf. */
#define TGC__NUMBUF 400
int tgc__fmt_fixed(char *buf, size_t bufsize, double v, int precision);
int tgc__fmt_sci(char *buf, size_t bufsize, double v, int precision);

/* Formats a message into err (when err is not NULL) and returns 1: `return tgc__fail(...)`. */
int tgc__fail(char *err, size_t errlen, const char *fmt, ...) TGC_PRINTF(3, 4);

/* Writes `path` through "<path>.tmp.<pid>", renamed into place only when `write` (given the
   open file and `context`) returns 0 and every byte reached the disk; on failure nothing is
   left behind and err says why. */
int tgc__write_atomically(const char *path, int (*write)(FILE *f, void *context), void *context, char *err, size_t errlen);

/* Writes "[d0, d1, ...]" (shape as a list) into buf; returns buf. */
char *tgc__shape_str(char *buf, size_t bufsize, int ndim, const int64_t *shape);

#endif
