/* Shape helpers shared by the .npy code and argument parsing. */
#include <stdio.h>

#include "internal.h"

char *tgc__shape_str(char *buf, size_t bufsize, int ndim, const int64_t *shape) {
    size_t pos = 0;
    if (bufsize == 0) return buf;
    buf[0] = '\0';
    pos += (size_t)snprintf(buf, bufsize, "[");
    for (int d = 0; d < ndim && pos < bufsize; d++)
        pos += (size_t)snprintf(buf + pos, bufsize - pos, "%s%lld", d ? ", " : "",
                                (long long)shape[d]);
    if (pos < bufsize) snprintf(buf + pos, bufsize - pos, "]");
    return buf;
}
