/* Classifies the images of a .npy file (uint8 [N, H, W] scaled by 1/255, or float32 [N, 1, H, W])
 * with the C library that `tgc compile classifier.swiftdsl --emit lib -o build/classifier` builds,
 * linked statically (or the library built from ../cnn_fashion_eval.swiftdsl, whose `classify` takes
 * 64 Fashion-MNIST images: `make deploy-cnn`):
 *   gcc -O2 -Ibuild classify.c build/libclassifier.a -fopenmp -lz -lm -o build/classify
 *   build/classify images.npy [weights.safetensors]
 * With a safetensors file, the weights are read from it (classifier_create_from) instead of
 * those embedded in the library. Prints the predicted classes as PyTorch prints a tensor: tensor([1, 6, ...]). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classifier.h"

/* The images of a .npy file as floats (N * per_image of them); NULL with a message on failure. */
static float *read_images(const char *path, long per_image, long *count) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "error: cannot open '%s'\n", path);
        return NULL;
    }
    unsigned char preamble[10];
    char header[4096];
    if (fread(preamble, 1, 10, file) != 10 || memcmp(preamble, "\x93NUMPY", 6) != 0 || preamble[6] != 1) {
        fprintf(stderr, "error: '%s' is not a version 1 .npy file\n", path);
        fclose(file);
        return NULL;
    }
    size_t header_length = (size_t)preamble[8] | ((size_t)preamble[9] << 8);
    if (header_length >= sizeof header || fread(header, 1, header_length, file) != header_length) {
        fprintf(stderr, "error: '%s' has a truncated header\n", path);
        fclose(file);
        return NULL;
    }
    header[header_length] = '\0';
    int is_u8 = strstr(header, "'|u1'") != NULL;
    int is_f32 = strstr(header, "'<f4'") != NULL;
    const char *shape = strstr(header, "'shape': (");
    if ((!is_u8 && !is_f32) || strstr(header, "'fortran_order': False") == NULL || shape == NULL) {
        fprintf(stderr, "error: '%s' must hold uint8 or float32 images in C order\n", path);
        fclose(file);
        return NULL;
    }
    long elements = 1;
    for (const char *p = shape + strlen("'shape': ("); *p != ')';) {
        char *end;
        long extent = strtol(p, &end, 10);
        if (end == p) break;
        elements *= extent;
        p = end;
        while (*p == ',' || *p == ' ') p++;
    }
    if (elements % per_image != 0) {
        fprintf(stderr, "error: '%s' holds %ld values, not a whole number of %ld-pixel images\n", path, elements, per_image);
        fclose(file);
        return NULL;
    }
    float *images = malloc(sizeof(float) * (size_t)elements);
    unsigned char *raw = malloc((size_t)elements * (is_u8 ? 1 : 4));
    size_t size = is_u8 ? 1 : 4;
    if (images == NULL || raw == NULL || fread(raw, size, (size_t)elements, file) != (size_t)elements) {
        fprintf(stderr, "error: '%s' is truncated\n", path);
        free(images);
        free(raw);
        fclose(file);
        return NULL;
    }
    for (long i = 0; i < elements; i++) {
        if (is_u8) images[i] = (float)raw[i] / 255.0f;
        else memcpy(&images[i], raw + 4 * i, 4);
    }
    free(raw);
    fclose(file);
    *count = elements / per_image;
    return images;
}

int main(int argc, char **argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s IMAGES.npy [WEIGHTS.safetensors]\n", argv[0]);
        return 2;
    }
    const long batch = CLASSIFIER_CLASSIFY_RESULT_COUNT;
    const long per_image = CLASSIFIER_CLASSIFY_IMAGES_COUNT / batch;
    long count = 0;
    float *images = read_images(argv[1], per_image, &count);
    if (images == NULL) return 1;
    char error[512] = "out of memory";
    classifier_context *ctx = argc == 3 ? classifier_create_from(argv[2], error, sizeof error) : classifier_create();
    if (ctx == NULL) {
        fprintf(stderr, "error: %s\n", error);
        return 1;
    }
    float input[CLASSIFIER_CLASSIFY_IMAGES_COUNT];
    int64_t classes[CLASSIFIER_CLASSIFY_RESULT_COUNT];
    printf("tensor([");
    for (long start = 0; start < count; start += batch) {
        long n = count - start < batch ? count - start : batch;
        memset(input, 0, sizeof input);   /* a last partial batch is padded with black images */
        memcpy(input, images + start * per_image, sizeof(float) * (size_t)(n * per_image));
        int status = classifier_classify(ctx, input, classes);
        if (status != CLASSIFIER_OK) {
            fprintf(stderr, "error: %s: %s\n", classifier_error_message(status), classifier_last_error(ctx));
            return 1;
        }
        for (long i = 0; i < n; i++) printf("%s%lld", start + i == 0 ? "" : ", ", (long long)classes[i]);
    }
    printf("])\n");
    classifier_destroy(ctx);
    free(images);
    return 0;
}
