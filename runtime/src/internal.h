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

/* Writes "[d0, d1, ...]" (shape as a list) into buf; returns buf. */
char *tgc__shape_str(char *buf, size_t bufsize, int ndim, const int64_t *shape);

#endif
