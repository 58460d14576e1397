/* Element sizes and names of the runtime's dtypes. */
#include "tgc_runtime.h"

size_t tgc_dtype_size(tgc_dtype dt) {
    switch (dt) {
    case TGC_F32: return 4;
    case TGC_I64: return 8;
    case TGC_BOOL: return 1;
    case TGC_F64: return 8;
    case TGC_I32: return 4;
    case TGC_U8: return 1;
    }
    return 0;
}

const char *tgc_dtype_name(tgc_dtype dt) {
    switch (dt) {
    case TGC_F32: return "float32";
    case TGC_I64: return "int64";
    case TGC_BOOL: return "bool";
    case TGC_F64: return "float64";
    case TGC_I32: return "int32";
    case TGC_U8: return "uint8";
    }
    return "unknown";
}
