/* Bad calls into a library that tgc built from samples/deploy/classifier.swiftdsl, and two
 * threads with a context each (LibraryTests builds and runs this). Prints one line per check:
 *   NAME CODE MESSAGE
 * and "threads agree" when both threads computed what a single call computes. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "classifier.h"

static float images[CLASSIFIER_CLASSIFY_IMAGES_COUNT];

static void report(const char *name, int code, const char *message) {
    printf("%s %d %s\n", name, code, message);
}

/* Classifies `images` 50 times on its own context; the first result in `arg`. */
static void *classify_repeatedly(void *arg) {
    int64_t *first = arg;
    classifier_context *ctx = classifier_create();
    int64_t out[CLASSIFIER_CLASSIFY_RESULT_COUNT];
    for (int run = 0; run < 50; run++) {
        if (ctx == NULL || classifier_classify(ctx, images, out) != CLASSIFIER_OK) return NULL;
        if (run == 0) memcpy(first, out, sizeof out);
        else if (memcmp(first, out, sizeof out) != 0) return NULL;
    }
    classifier_destroy(ctx);
    return first;
}

int main(void) {
    for (int i = 0; i < CLASSIFIER_CLASSIFY_IMAGES_COUNT; i++) images[i] = (float)((i * 37) % 256) / 255.0f;
    int64_t out[CLASSIFIER_CLASSIFY_RESULT_COUNT];

    int code = classifier_classify(NULL, images, out);
    report("null_context", code, classifier_error_message(code));
    report("null_context_last_error", code, classifier_last_error(NULL));

    classifier_context *ctx = classifier_create();
    code = classifier_classify(ctx, NULL, out);
    report("null_input", code, classifier_last_error(ctx));
    code = classifier_classify(ctx, images, NULL);
    report("null_output", code, classifier_last_error(ctx));
    code = classifier_classify(ctx, images, out);
    report("success", code, classifier_error_message(code));

    /* Best effort, as the header says: the freed context is read once, before anything else is
       allocated that could reuse its memory. */
    classifier_destroy(ctx);
    code = classifier_classify(ctx, images, out);
    report("destroyed_context", code, classifier_error_message(code));
    classifier_destroy(ctx);   /* a second destroy is ignored */
    classifier_destroy(NULL);
    report("unknown_code", 99, classifier_error_message(99));

    int64_t single[CLASSIFIER_CLASSIFY_RESULT_COUNT], first[2][CLASSIFIER_CLASSIFY_RESULT_COUNT];
    classifier_context *reference = classifier_create();
    classifier_classify(reference, images, single);
    classifier_destroy(reference);
    pthread_t threads[2];
    for (int t = 0; t < 2; t++) pthread_create(&threads[t], NULL, classify_repeatedly, first[t]);
    int agree = 1;
    for (int t = 0; t < 2; t++) {
        void *result;
        pthread_join(threads[t], &result);
        agree = agree && result != NULL && memcmp(first[t], single, sizeof single) == 0;
    }
    printf("threads %s\n", agree ? "agree" : "disagree");
    return 0;
}
