/* Python's print of a tensor's tolist(): nested lists of Python numbers. */
#include "tgc_runtime.h"

static void append_element(tgc_str *s, const void *data, tgc_dtype dt, int64_t i) {
    switch (dt) {
    case TGC_F32: tgc_str_append_float_repr(s, (double)((const float *)data)[i]); break;
    case TGC_F64: tgc_str_append_float_repr(s, ((const double *)data)[i]); break;
    case TGC_I64: tgc_str_append_int(s, ((const int64_t *)data)[i]); break;
    case TGC_I32: tgc_str_append_int(s, ((const int32_t *)data)[i]); break;
    case TGC_U8: tgc_str_append_int(s, ((const uint8_t *)data)[i]); break;
    case TGC_BOOL: tgc_str_append_bool(s, ((const uint8_t *)data)[i]); break;
    }
}

/* The list of dims d... starting at element offset; stride is the element count of one item. */
static void append_level(tgc_str *s, const void *data, tgc_dtype dt, const int64_t *shape, int ndim,
                         int d, int64_t offset) {
    if (d == ndim) {
        append_element(s, data, dt, offset);
        return;
    }
    int64_t stride = 1;
    for (int k = d + 1; k < ndim; k++) stride *= shape[k];
    tgc_str_append(s, "[");
    for (int64_t j = 0; j < shape[d]; j++) {
        if (j > 0) tgc_str_append(s, ", ");
        append_level(s, data, dt, shape, ndim, d + 1, offset + j * stride);
    }
    tgc_str_append(s, "]");
}

void tgc_str_append_list(tgc_str *s, const void *data, tgc_dtype dt, const int64_t *shape, int ndim) {
    append_level(s, data, dt, shape, ndim, 0, 0);
}
