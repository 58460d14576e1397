/* Two contexts of a library that tgc built from samples/deploy/classifier.swiftdsl, one with
 * the embedded weights and one with those of a safetensors file, called in turn (LibraryTests
 * builds and runs this): each context's matrix products read the weights it packed when it was
 * made, so each prints its own classes, the same on every call.
 *   check_packed IMAGES.npy WEIGHTS.safetensors
 * IMAGES.npy: float32 [16, 1, 8, 8], a version 1 file. Prints "embedded: tensor([...])" and
 * "loaded: tensor([...])" twice, alternating. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "classifier.h"

static float images[CLASSIFIER_CLASSIFY_IMAGES_COUNT];

/* Reads the float32 values of a version 1 .npy file's data into `images`; 0 on success. */
static int read_images(const char *path) {
    FILE *file = fopen(path, "rb");
    unsigned char preamble[10];
    if (file == NULL || fread(preamble, 1, 10, file) != 10 || memcmp(preamble, "\x93NUMPY\x01", 7) != 0) return 1;
    long header = (long)preamble[8] | (long)preamble[9] << 8;
    int ok = fseek(file, 10 + header, SEEK_SET) == 0
          && fread(images, sizeof images[0], CLASSIFIER_CLASSIFY_IMAGES_COUNT, file) == CLASSIFIER_CLASSIFY_IMAGES_COUNT;
    fclose(file);
    return !ok;
}

/* Classifies `images` on ctx and prints the classes as PyTorch prints a tensor; 0 on success. */
static int classify(const char *name, classifier_context *ctx) {
    int64_t out[CLASSIFIER_CLASSIFY_RESULT_COUNT];
    if (classifier_classify(ctx, images, out) != CLASSIFIER_OK) return 1;
    printf("%s: tensor([", name);
    for (int i = 0; i < CLASSIFIER_CLASSIFY_RESULT_COUNT; i++) printf("%s%lld", i == 0 ? "" : ", ", (long long)out[i]);
    printf("])\n");
    return 0;
}

int main(int argc, char **argv) {
    char error[512];
    if (argc != 3 || read_images(argv[1]) != 0) {
        fprintf(stderr, "usage: check_packed IMAGES.npy WEIGHTS.safetensors (float32 [16, 1, 8, 8] images)\n");
        return 2;
    }
    classifier_context *embedded = classifier_create(), *loaded = classifier_create_from(argv[2], error, sizeof error);
    if (embedded == NULL || loaded == NULL) {
        fprintf(stderr, "error: %s\n", loaded == NULL ? error : "out of memory");
        return 1;
    }
    for (int round = 0; round < 2; round++)
        if (classify("embedded", embedded) != 0 || classify("loaded", loaded) != 0) return 1;
    classifier_destroy(embedded);
    classifier_destroy(loaded);
    return 0;
}
