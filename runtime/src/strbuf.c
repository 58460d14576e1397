/* tgc_str: the growable string buffer one print statement is assembled in. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void str_reserve(tgc_str *s, size_t extra) {
    if (s->data != NULL && s->len + extra < s->cap) return;
    size_t need = s->len + extra + 1;
    if (need < s->len) tgc_fatal("out of memory: string too long");
    size_t cap = s->cap < 64 ? 64 : s->cap;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(s->data, cap);
    if (p == NULL) tgc_fatal("out of memory: cannot grow a string to %zu bytes", cap);
    if (s->data == NULL) p[0] = '\0';
    s->data = p;
    s->cap = cap;
}

void tgc_str_init(tgc_str *s) {
    s->data = NULL;
    s->len = 0;
    s->cap = 0;
    str_reserve(s, 0);
}

void tgc__str_append_n(tgc_str *s, const char *text, size_t n) {
    str_reserve(s, n);
    memcpy(s->data + s->len, text, n);
    s->len += n;
    s->data[s->len] = '\0';
}

void tgc__str_append_repeat(tgc_str *s, char c, size_t count) {
    str_reserve(s, count);
    memset(s->data + s->len, c, count);
    s->len += count;
    s->data[s->len] = '\0';
}

void tgc_str_append(tgc_str *s, const char *text) {
    tgc__str_append_n(s, text, strlen(text));
}

void tgc_str_append_int(tgc_str *s, int64_t v) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%" PRId64, v);
    tgc__str_append_n(s, buf, (size_t)n);
}

void tgc_str_append_bool(tgc_str *s, int v) { tgc_str_append(s, v ? "True" : "False"); }

void tgc_str_write(tgc_str *s, FILE *f) {
    if (s->data != NULL) fwrite(s->data, 1, s->len, f);
    s->len = 0;
    if (s->data != NULL) s->data[0] = '\0';
}

void tgc_str_println(tgc_str *s, FILE *f) {
    tgc_str_append(s, "\n");
    tgc_str_write(s, f);
}

void tgc_str_free(tgc_str *s) {
    free(s->data);
    s->data = NULL;
    s->len = 0;
    s->cap = 0;
}
