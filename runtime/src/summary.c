/* Scalar summaries for TensorBoard and plotting: `SummaryWriter(dir).addScalar(tag, value,
   step:)` appends one line to DIR/scalars.csv ("tag,step,value") and one TFRecord to
   DIR/events.out.tfevents.<seconds>.<host>.<pid>.<n>, the file TensorBoard reads.

   A TFRecord is: uint64 length (little-endian), uint32 masked CRC32C of those 8 bytes, the
   data, uint32 masked CRC32C of the data. The data is an `Event` protobuf:
     Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
     Summary { repeated Value value = 1; }
     Value   { string tag = 1; float simple_value = 2; }
   The first record of a file carries file_version "brain.Event:2". Each record is written
   with one fwrite and flushed, so a run that stops keeps every scalar it logged. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "internal.h"

/* ---- CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord uses ---- */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_table[i] = c;
    }
}

uint32_t tgc_crc32c(const void *data, size_t n) {
    pthread_once(&crc_once, crc_init);
    const uint8_t *p = data;
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

uint32_t tgc_masked_crc32c(const void *data, size_t n) {
    uint32_t c = tgc_crc32c(data, n);
    return ((c >> 15) | (c << 17)) + 0xA282EAD8u;
}

/* ---- protobuf encoding into a growing byte buffer ---- */

typedef struct {
    uint8_t *bytes;
    size_t len, cap;
} buffer;

static void put(buffer *b, const void *data, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 128;
        while (cap < b->len + n) cap *= 2;
        b->bytes = realloc(b->bytes, cap);
        if (b->bytes == NULL) tgc_fatal("out of memory");
        b->cap = cap;
    }
    memcpy(b->bytes + b->len, data, n);
    b->len += n;
}

static void put_varint(buffer *b, uint64_t v) {
    uint8_t out[10];
    size_t n = 0;
    do {
        out[n++] = (uint8_t)((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
        v >>= 7;
    } while (v != 0);
    put(b, out, n);
}

static void put_le(buffer *b, uint64_t v, int bytes) {
    uint8_t out[8];
    for (int i = 0; i < bytes; i++) out[i] = (uint8_t)(v >> (8 * i));
    put(b, out, (size_t)bytes);
}

/* A length-delimited field (wire type 2): a string or an embedded message. */
static void put_bytes_field(buffer *b, int field, const void *data, size_t n) {
    put_varint(b, (uint64_t)field << 3 | 2);
    put_varint(b, n);
    put(b, data, n);
}

/* An Event: wall_time, step, then file_version (when not NULL) or one scalar Summary.Value. */
static void encode_event(buffer *event, double wall_time, int64_t step, const char *file_version,
                         const char *tag, float value) {
    uint64_t bits;
    memcpy(&bits, &wall_time, 8);
    put_varint(event, 1 << 3 | 1);
    put_le(event, bits, 8);
    put_varint(event, 2 << 3 | 0);
    put_varint(event, (uint64_t)step);
    if (file_version != NULL) {
        put_bytes_field(event, 3, file_version, strlen(file_version));
        return;
    }
    buffer v = {0}, summary = {0};
    put_bytes_field(&v, 1, tag, strlen(tag));
    uint32_t fbits;
    memcpy(&fbits, &value, 4);
    put_varint(&v, 2 << 3 | 5);
    put_le(&v, fbits, 4);
    put_bytes_field(&summary, 1, v.bytes, v.len);
    put_bytes_field(event, 5, summary.bytes, summary.len);
    free(v.bytes);
    free(summary.bytes);
}

/* One TFRecord around `data`, written with one fwrite and flushed. */
static int write_record(FILE *f, const buffer *data) {
    buffer record = {0};
    put_le(&record, data->len, 8);
    put_le(&record, tgc_masked_crc32c(record.bytes, 8), 4);
    put(&record, data->bytes, data->len);
    put_le(&record, tgc_masked_crc32c(data->bytes, data->len), 4);
    int ok = fwrite(record.bytes, 1, record.len, f) == record.len && fflush(f) == 0;
    free(record.bytes);
    return ok ? 0 : 1;
}

/* ---- open writers, one per folder ---- */

typedef struct {
    char *dir;
    FILE *events, *csv;
} writer;

#define MAX_WRITERS 64
static writer writers[MAX_WRITERS];
static pthread_mutex_t writers_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned files_opened;

static double wall_clock(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

/* mkdir -p */
static int make_folder(const char *dir, char *err, size_t errlen) {
    char *path = strdup(dir);
    if (path == NULL) tgc_fatal("out of memory");
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char end = *p;
        *p = '\0';
        struct stat st;
        if (stat(path, &st) != 0) {
            if (mkdir(path, 0777) != 0 && errno != EEXIST) {
                tgc__fail(err, errlen, "cannot create log folder '%s': %s", path, strerror(errno));
                free(path);
                return 1;
            }
        } else if (!S_ISDIR(st.st_mode)) {
            tgc__fail(err, errlen, "log folder '%s': '%s' is not a folder", dir, path);
            free(path);
            return 1;
        }
        if (end == '\0') break;
        *p = end;
    }
    free(path);
    return 0;
}

static void close_writer(writer *w) {
    if (w->events != NULL) fclose(w->events);
    if (w->csv != NULL) fclose(w->csv);
    free(w->dir);
    memset(w, 0, sizeof *w);
}

/* Creates the folder, a new event file starting with its file_version record, and
   scalars.csv (replaced) with its header. */
static int open_writer(writer *w, const char *dir, char *err, size_t errlen) {
    if (make_folder(dir, err, errlen) != 0) return 1;
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0) strcpy(host, "localhost");
    host[sizeof host - 1] = '\0';
    double now = wall_clock();
    size_t len = strlen(dir) + strlen(host) + 96;
    char *path = malloc(len);
    if (path == NULL) tgc_fatal("out of memory");
    snprintf(path, len, "%s/events.out.tfevents.%010lld.%s.%ld.%u", dir, (long long)now, host, (long)getpid(), files_opened++);
    w->dir = strdup(dir);
    w->events = fopen(path, "wb");
    if (w->events == NULL) {
        tgc__fail(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        free(path);
        close_writer(w);
        return 1;
    }
    free(path);
    buffer first = {0};
    encode_event(&first, now, 0, "brain.Event:2", NULL, 0);
    int failed = write_record(w->events, &first);
    free(first.bytes);
    len = strlen(dir) + 16;
    path = malloc(len);
    if (path == NULL) tgc_fatal("out of memory");
    snprintf(path, len, "%s/scalars.csv", dir);
    w->csv = failed ? NULL : fopen(path, "w");
    if (failed || w->csv == NULL || fputs("tag,step,value\n", w->csv) < 0 || fflush(w->csv) != 0) {
        tgc__fail(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        free(path);
        close_writer(w);
        return 1;
    }
    free(path);
    return 0;
}

/* The shortest "%.Ng" that reads back as the same float, written without an exponent when it
   lies in [-5, 16) (50, 1500 and 0.0001 rather than 5e+01, 1.5e+03 and 0.0001). */
static void format_float(char *buf, size_t size, float v) {
    for (int precision = 1; precision <= 9; precision++) {
        snprintf(buf, size, "%.*g", precision, (double)v);
        if (strtof(buf, NULL) != v) continue;
        const char *e = strchr(buf, 'e');
        const int exponent = e != NULL ? atoi(e + 1) : 0;
        if (e != NULL && exponent >= -5 && exponent < 16) {
            const int decimals = precision - 1 - exponent;
            snprintf(buf, size, "%.*f", decimals > 0 ? decimals : 0, strtod(buf, NULL));   /* the shortest digits */
        }
        return;
    }
}

int tgc_summary_add_scalar(const char *dir, const char *tag, int64_t step, float value, char *err, size_t errlen) {
    pthread_mutex_lock(&writers_lock);
    writer *w = NULL, *free_slot = NULL;
    for (int i = 0; i < MAX_WRITERS && w == NULL; i++) {
        if (writers[i].dir != NULL && strcmp(writers[i].dir, dir) == 0) w = &writers[i];
        else if (writers[i].dir == NULL && free_slot == NULL) free_slot = &writers[i];
    }
    int failed = 0;
    if (w == NULL) {
        if (free_slot == NULL) {
            failed = tgc__fail(err, errlen, "too many log folders open at once (at most %d)", MAX_WRITERS);
        } else if (open_writer(free_slot, dir, err, errlen) == 0) {
            w = free_slot;
        } else {
            failed = 1;
        }
    }
    if (!failed) {
        buffer event = {0};
        encode_event(&event, wall_clock(), step, NULL, tag, value);
        char number[32];
        format_float(number, sizeof number, value);
        if (write_record(w->events, &event) != 0 ||
            fprintf(w->csv, "%s,%lld,%s\n", tag, (long long)step, number) < 0 || fflush(w->csv) != 0)
            failed = tgc__fail(err, errlen, "cannot write the logs in '%s': %s", dir, strerror(errno));
        free(event.bytes);
    }
    pthread_mutex_unlock(&writers_lock);
    return failed;
}

void tgc_summary_close(const char *dir) {
    pthread_mutex_lock(&writers_lock);
    for (int i = 0; i < MAX_WRITERS; i++)
        if (writers[i].dir != NULL && strcmp(writers[i].dir, dir) == 0) close_writer(&writers[i]);
    pthread_mutex_unlock(&writers_lock);
}
