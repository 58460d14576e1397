/* Progress of a loop, `for i in progress(0..<n, "label")`: on a terminal, a live bar on
   stderr with the rate and the time left, redrawn at most 10 times a second; otherwise one
   summary line when the loop ends. Each call site (key) keeps its own clock. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

typedef struct {
    char key[64];
    double start_ms, drawn_ms;
} progress_state;

#define MAX_PROGRESS 32
static progress_state states[MAX_PROGRESS];
static int state_count;
static pthread_mutex_t progress_lock = PTHREAD_MUTEX_INITIALIZER;

static progress_state *state_for(const char *key) {
    for (int i = 0; i < state_count; i++)
        if (strncmp(states[i].key, key, sizeof states[i].key - 1) == 0) return &states[i];
    progress_state *s = &states[state_count < MAX_PROGRESS ? state_count++ : MAX_PROGRESS - 1];
    snprintf(s->key, sizeof s->key, "%s", key);
    return s;
}

/* "m:ss" or "h:mm:ss". */
static void clock_text(char *buf, size_t size, double seconds) {
    long s = seconds < 0 ? 0 : (long)(seconds + 0.5);
    if (s >= 3600) snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

static void draw_bar(const char *label, int64_t done, int64_t total, double elapsed_s) {
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    int filled = total > 0 ? (int)(done * WIDTH / total) : WIDTH;
    for (int i = 0; i < WIDTH; i++) bar[i] = i < filled ? '#' : '-';
    bar[WIDTH] = '\0';
    double rate = elapsed_s > 0 ? (double)done / elapsed_s : 0;
    char spent[16], left[16] = "?";
    clock_text(spent, sizeof spent, elapsed_s);
    if (rate > 0) clock_text(left, sizeof left, (double)(total - done) / rate);
    fprintf(stderr, "\r\033[K%s |%s| %lld/%lld [%s<%s, %.2f it/s]", label, bar, (long long)done,
            (long long)total, spent, left, rate);
    if (done >= total) fputc('\n', stderr);
    fflush(stderr);
}

void tgc_progress(const char *key, const char *label, int64_t done, int64_t total) {
    pthread_mutex_lock(&progress_lock);
    progress_state *s = state_for(key);
    double now = tgc_now_ms();
    if (done == 0) s->start_ms = s->drawn_ms = now;
    double elapsed_s = (now - s->start_ms) / 1000.0;
    if (isatty(STDERR_FILENO)) {
        if (done == 0 || done >= total || now - s->drawn_ms >= 100) {
            draw_bar(label, done, total, elapsed_s);
            s->drawn_ms = now;
        }
    } else if (done >= total) {
        fprintf(stderr, "%s: %lld/%lld in %.2fs (%.2f it/s)\n", label, (long long)done, (long long)total,
                elapsed_s, elapsed_s > 0 ? (double)done / elapsed_s : 0.0);
        fflush(stderr);
    }
    pthread_mutex_unlock(&progress_lock);
}
