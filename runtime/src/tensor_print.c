/* PyTorch 2.x tensor repr (torch/_tensor_str.py rules) for every runtime dtype. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* PyTorch's default print options. */
#define PRECISION 4
#define THRESHOLD 1000
#define EDGEITEMS 3
#define LINEWIDTH 80
#define PREFIX "tensor("
#define PREFIX_LEN 7

typedef struct {
    const void *data;
    tgc_dtype dt;
    const int64_t *shape;
    int ndim;
    int64_t strides[TGC_MAX_DIMS]; /* in elements, C order */
    int summarize;
    /* _Formatter state */
    int int_mode, sci_mode, max_width;
    /* formatter pass: nonzero finite values seen so far */
    int have_nonzero;
    double abs_min, abs_max;
} printer;

static int is_float(tgc_dtype dt) { return dt == TGC_F32 || dt == TGC_F64; }

static double elem_f(const printer *p, int64_t i) {
    if (p->dt == TGC_F64) return ((const double *)p->data)[i];
    return (double)((const float *)p->data)[i];
}

static int64_t elem_i(const printer *p, int64_t i) {
    switch (p->dt) {
    case TGC_I32: return ((const int32_t *)p->data)[i];
    case TGC_U8: return ((const uint8_t *)p->data)[i];
    default: return ((const int64_t *)p->data)[i];
    }
}

/* Formats element i as _Formatter.format does, before right-justification. */
static int format_raw(const printer *p, int64_t i, char *buf, size_t bufsize) {
    switch (p->dt) {
    case TGC_I64:
    case TGC_I32:
    case TGC_U8:
        return snprintf(buf, bufsize, "%lld", (long long)elem_i(p, i));
    case TGC_BOOL:
        return snprintf(buf, bufsize, "%s", ((const uint8_t *)p->data)[i] ? "True" : "False");
    case TGC_F32:
    case TGC_F64: {
        double v = elem_f(p, i);
        if (p->sci_mode) return tgc__fmt_sci(buf, bufsize, v, PRECISION);
        if (p->int_mode) {
            int n = tgc__fmt_fixed(buf, bufsize, v, 0);
            if (isfinite(v) && n + 1 < (int)bufsize) {
                buf[n++] = '.';
                buf[n] = '\0';
            }
            return n;
        }
        return tgc__fmt_fixed(buf, bufsize, v, PRECISION);
    }
    }
    buf[0] = '\0';
    return 0;
}

static void append_elem(tgc_str *s, const printer *p, int64_t i) {
    char buf[TGC__NUMBUF];
    int n = format_raw(p, i, buf, sizeof buf);
    if (n < p->max_width) tgc__str_append_repeat(s, ' ', (size_t)(p->max_width - n));
    tgc__str_append_n(s, buf, (size_t)n);
}

/* Indices shown along a dimension of size n: all, or the first and last EDGEITEMS. */
static int shown_count(const printer *p, int64_t n) {
    return p->summarize && n > 2 * EDGEITEMS ? 2 * EDGEITEMS : (int)n;
}
static int64_t shown_index(const printer *p, int64_t n, int k) {
    return p->summarize && n > 2 * EDGEITEMS && k >= EDGEITEMS ? n - 2 * EDGEITEMS + k : k;
}

/* Calls visit on every element the repr shows (= get_summarized_data), in order. */
typedef void (*visit_fn)(printer *p, int64_t i);
static void visit_shown(printer *p, int d, int64_t offset, visit_fn visit) {
    if (d == p->ndim) {
        visit(p, offset);
        return;
    }
    int64_t n = p->shape[d];
    if (!p->summarize || n <= 2 * EDGEITEMS) {
        for (int64_t k = 0; k < n; k++) visit_shown(p, d + 1, offset + k * p->strides[d], visit);
        return;
    }
    int count = shown_count(p, n);
    for (int k = 0; k < count; k++)
        visit_shown(p, d + 1, offset + shown_index(p, n, k) * p->strides[d], visit);
}

static void visit_width_nonfloat(printer *p, int64_t i) {
    char buf[64];
    int n = format_raw(p, i, buf, sizeof buf);
    if (n > p->max_width) p->max_width = n;
}

static void visit_range(printer *p, int64_t i) {
    double v = elem_f(p, i);
    if (!isfinite(v) || v == 0.0) return;
    double a = fabs(v);
    if (!p->have_nonzero) {
        p->abs_min = p->abs_max = a;
        p->have_nonzero = 1;
    } else {
        if (a < p->abs_min) p->abs_min = a;
        if (a > p->abs_max) p->abs_max = a;
    }
    if (v != ceil(v)) p->int_mode = 0;
}

static void visit_width_float(printer *p, int64_t i) {
    double v = elem_f(p, i);
    if (!isfinite(v) || v == 0.0) return;
    char buf[TGC__NUMBUF];
    int n;
    if (p->sci_mode) {
        n = tgc__fmt_sci(buf, sizeof buf, v, PRECISION);
    } else if (p->int_mode) {
        n = tgc__fmt_fixed(buf, sizeof buf, v, 0) + 1; /* room for the trailing '.' */
    } else {
        n = tgc__fmt_fixed(buf, sizeof buf, v, PRECISION);
    }
    if (n > p->max_width) p->max_width = n;
}

/* _Formatter.__init__ over the shown elements. */
static void init_formatter(printer *p) {
    p->int_mode = 1;
    p->sci_mode = 0;
    p->max_width = 1;
    if (!is_float(p->dt)) {
        visit_shown(p, 0, 0, visit_width_nonfloat);
        return;
    }
    p->have_nonzero = 0;
    visit_shown(p, 0, 0, visit_range);
    if (!p->have_nonzero) {
        p->int_mode = 1; /* no valid number: defaults */
        return;
    }
    p->sci_mode = p->abs_max / p->abs_min > 1000.0 || p->abs_max > 1.0e8 || p->abs_min < 1.0e-4;
    visit_shown(p, 0, 0, visit_width_float);
}

static void append_newline_indent(tgc_str *s, int newlines, int indent) {
    tgc__str_append_repeat(s, '\n', (size_t)newlines);
    tgc__str_append_repeat(s, ' ', (size_t)indent);
}

/* _vector_str */
static void append_vector(tgc_str *s, const printer *p, int d, int64_t offset, int indent) {
    int element_length = p->max_width + 2;
    int avail = LINEWIDTH - indent;
    int per_line = avail > 0 ? avail / element_length : 0;
    if (per_line < 1) per_line = 1;
    int64_t n = p->shape[d];
    int elided = p->summarize && n > 2 * EDGEITEMS;
    int64_t items = elided ? 2 * EDGEITEMS + 1 : n;
    tgc_str_append(s, "[");
    for (int64_t j = 0; j < items; j++) {
        if (j > 0) {
            if (j % per_line == 0) {
                tgc_str_append(s, ",");
                append_newline_indent(s, 1, indent + 1);
            } else {
                tgc_str_append(s, ", ");
            }
        }
        if (elided && j == EDGEITEMS) {
            tgc_str_append(s, " ...");
            continue;
        }
        int64_t k = elided && j > EDGEITEMS ? n - (items - j) : j;
        append_elem(s, p, offset + k * p->strides[d]);
    }
    tgc_str_append(s, "]");
}

/* _tensor_str_with_formatter */
static void append_nested(tgc_str *s, const printer *p, int d, int64_t offset, int indent) {
    int dims_left = p->ndim - d;
    if (dims_left == 0) {
        append_elem(s, p, offset);
        return;
    }
    if (dims_left == 1) {
        append_vector(s, p, d, offset, indent);
        return;
    }
    int64_t n = p->shape[d];
    int elided = p->summarize && n > 2 * EDGEITEMS;
    int64_t items = elided ? 2 * EDGEITEMS + 1 : n;
    tgc_str_append(s, "[");
    for (int64_t j = 0; j < items; j++) {
        if (j > 0) {
            tgc_str_append(s, ",");
            append_newline_indent(s, dims_left - 1, indent + 1);
        }
        if (elided && j == EDGEITEMS) {
            tgc_str_append(s, "...");
            continue;
        }
        int64_t k = elided && j > EDGEITEMS ? n - (items - j) : j;
        append_nested(s, p, d + 1, offset + k * p->strides[d], indent + 1);
    }
    tgc_str_append(s, "]");
}

/* _add_suffixes, including its way of measuring the last line (2 more than its length). */
static void add_suffixes(tgc_str *s, size_t start, const char **suffixes, int n) {
    const char *text = s->data + start;
    size_t len = s->len - start;
    const char *nl = NULL;
    for (size_t i = len; i > 0; i--)
        if (text[i - 1] == '\n') {
            nl = text + i - 1;
            break;
        }
    long rfind = nl ? (long)(nl - text) : -1;
    long last_line_len = (long)len - rfind + 1;
    for (int i = 0; i < n; i++) {
        long suffix_len = (long)strlen(suffixes[i]);
        if (last_line_len + suffix_len + 2 > LINEWIDTH) {
            tgc_str_append(s, ",\n");
            tgc__str_append_repeat(s, ' ', PREFIX_LEN);
            last_line_len = PREFIX_LEN + suffix_len;
        } else {
            tgc_str_append(s, ", ");
            last_line_len += suffix_len + 2;
        }
        tgc_str_append(s, suffixes[i]);
    }
    tgc_str_append(s, ")");
}

void tgc_str_append_tensor(tgc_str *s, const void *data, tgc_dtype dt, const int64_t *shape,
                           int ndim, const char *suffix) {
    if (ndim < 0 || ndim > TGC_MAX_DIMS) tgc_fatal("cannot print a tensor of rank %d", ndim);
    printer p;
    memset(&p, 0, sizeof p);
    p.data = data;
    p.dt = dt;
    p.shape = shape;
    p.ndim = ndim;
    int64_t numel = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        p.strides[d] = numel;
        numel *= shape[d];
    }
    size_t start = s->len;
    tgc_str_append(s, PREFIX);

    const char *suffixes[3];
    int nsuffixes = 0;
    char size_buf[32 * TGC_MAX_DIMS + 16];
    char dtype_buf[32];
    if (numel == 0) {
        tgc_str_append(s, "[]");
        if (ndim != 1) {
            /* "size=" + str(tuple(shape)) */
            size_t pos = (size_t)snprintf(size_buf, sizeof size_buf, "size=(");
            for (int d = 0; d < ndim; d++)
                pos += (size_t)snprintf(size_buf + pos, sizeof size_buf - pos, "%s%lld",
                                        d ? ", " : "", (long long)shape[d]);
            snprintf(size_buf + pos, sizeof size_buf - pos, ndim == 1 ? ",)" : ")");
            suffixes[nsuffixes++] = size_buf;
        }
        if (dt != TGC_F32) {
            snprintf(dtype_buf, sizeof dtype_buf, "dtype=torch.%s", tgc_dtype_name(dt));
            suffixes[nsuffixes++] = dtype_buf;
        }
    } else {
        p.summarize = numel > THRESHOLD;
        init_formatter(&p);
        append_nested(s, &p, 0, 0, PREFIX_LEN);
        /* PyTorch names every dtype but the defaults (float32, int64, bool). */
        if (dt == TGC_F64 || dt == TGC_I32 || dt == TGC_U8) {
            snprintf(dtype_buf, sizeof dtype_buf, "dtype=torch.%s", tgc_dtype_name(dt));
            suffixes[nsuffixes++] = dtype_buf;
        }
    }
    if (suffix != NULL && suffix[0] != '\0') suffixes[nsuffixes++] = suffix;
    add_suffixes(s, start, suffixes, nsuffixes);
}

char *tgc_format_tensor(const void *data, tgc_dtype dt, const int64_t *shape, int ndim,
                        const char *suffix) {
    tgc_str s;
    tgc_str_init(&s);
    tgc_str_append_tensor(&s, data, dt, shape, ndim, suffix);
    return s.data;
}
