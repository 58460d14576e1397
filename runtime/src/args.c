/* Command-line options of generated programs: --seed, --in, --out, --bench, --threads. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "internal.h"

#define HINT "(run with --help for usage)"

static const tgc_hyper *hyperparameters;
static int hyperparameter_count;

void tgc_set_hyperparameters(const tgc_hyper *hypers, int count) {
    hyperparameters = hypers;
    hyperparameter_count = count;
}

static const tgc_hyper *find_hyperparameter(const char *flag) {
    for (int i = 0; i < hyperparameter_count; i++)
        if (strcmp(flag + 2, hyperparameters[i].name) == 0) return &hyperparameters[i];
    return NULL;
}

static void print_hyperparameters(void) {
    if (hyperparameter_count == 0) return;
    printf("\nhyperparameters:\n");
    int width = 0;
    for (int i = 0; i < hyperparameter_count; i++) {
        int len = (int)strlen(hyperparameters[i].name) + 4;
        if (len > width) width = len;
    }
    for (int i = 0; i < hyperparameter_count; i++) {
        const tgc_hyper *h = &hyperparameters[i];
        char flag[96];
        snprintf(flag, sizeof flag, "--%s X", h->name);
        if (h->slot != NULL) printf("  %-*s  a number (default: %s)\n", width, flag, h->value);
        else printf("  %-*s  fixed at compile time: %s (recompile with -D %s=VALUE)\n", width, flag, h->value, h->name);
    }
}

/* --NAME VALUE: a finite number; for a fixed one only its compiled value. */
static void set_hyperparameter(const tgc_hyper *h, const char *value) {
    char *end = NULL;
    errno = 0;
    double v = strtod(value, &end);
    int is_number = value[0] != '\0' && end != NULL && *end == '\0' && errno != ERANGE && isfinite(v);
    if (h->slot == NULL) {
        if (is_number && v == strtod(h->value, NULL)) return; /* the value it was compiled with */
        tgc_fatal("--%s is fixed at compile time (compiled with %s = %s); recompile with "
                  "-D %s=%s to change it", h->name, h->name, h->value, h->name, value);
    }
    if (!is_number)
        tgc_fatal("--%s expects a number, got '%s' " HINT, h->name, value);
    *h->slot = v;
}

static void print_usage(const char *program, const char *description, const tgc_input *inputs,
                        int n_inputs) {
    printf("usage: %s [options]\n", program);
    if (description != NULL && description[0] != '\0') printf("\n%s\n", description);
    printf("\noptions:\n"
           "  --seed N            seed of the random number generator\n"
           "  --in NAME=FILE.npy  read input NAME from a .npy file (repeatable)\n"
           "  --out DIR           directory that saved files go to (default: .)\n"
           "  --bench N           run N timed times and report min/median on stderr\n"
           "  --threads N         number of threads (default: all cores)\n"
           "  --quiet             do not print results\n"
           "  -h, --help          show this help and exit\n"
           "\ninputs:\n");
    if (n_inputs == 0) printf("  (none)\n");
    int width = 0;
    for (int i = 0; i < n_inputs; i++) {
        int len = (int)strlen(inputs[i].name);
        if (len > width) width = len;
    }
    for (int i = 0; i < n_inputs; i++) {
        char shape[32 * TGC_MAX_DIMS];
        printf("  %-*s  %s%s\n", width, inputs[i].name, tgc_dtype_name(inputs[i].dtype),
               tgc__shape_str(shape, sizeof shape, inputs[i].ndim, inputs[i].shape));
    }
    print_hyperparameters();
    fflush(stdout);
}

/* A non-negative decimal integer no larger than max. */
static uint64_t parse_count(const char *flag, const char *text, uint64_t max) {
    const char *p = text;
    uint64_t v = 0;
    if (*p == '\0') tgc_fatal("%s expects a non-negative integer, got an empty value " HINT, flag);
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            tgc_fatal("%s expects a non-negative integer, got '%s' " HINT, flag, text);
        unsigned digit = (unsigned)(*p - '0');
        if (v > (max - digit) / 10)
            tgc_fatal("%s value '%s' is too large (at most %llu) " HINT, flag, text,
                      (unsigned long long)max);
        v = v * 10 + digit;
    }
    return v;
}

static void check_out_dir(const char *dir) {
    struct stat st;
    if (dir[0] == '\0') tgc_fatal("--out expects a directory, got an empty value " HINT);
    if (stat(dir, &st) != 0)
        tgc_fatal("--out directory '%s' does not exist: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) tgc_fatal("--out '%s' is not a directory", dir);
    if (access(dir, W_OK | X_OK) != 0)
        tgc_fatal("--out directory '%s' is not writable: %s", dir, strerror(errno));
}

static void bind_input(const char *value, tgc_input *inputs, int n_inputs) {
    const char *eq = strchr(value, '=');
    if (eq == NULL || eq == value || eq[1] == '\0')
        tgc_fatal("--in expects NAME=FILE.npy, got '%s' " HINT, value);
    size_t name_len = (size_t)(eq - value);
    const char *file = eq + 1;
    for (int i = 0; i < n_inputs; i++) {
        tgc_input *in = &inputs[i];
        if (strlen(in->name) != name_len || strncmp(in->name, value, name_len) != 0) continue;
        if (in->bound) tgc_fatal("input '%s' is given twice with --in", in->name);
        if (in->data == NULL) {
            size_t bytes = tgc_dtype_size(in->dtype);
            for (int d = 0; d < in->ndim; d++) bytes *= (size_t)in->shape[d];
            in->data = tgc_alloc(bytes);
        }
        char err[512];
        if (tgc_npy_load(file, in->dtype, in->ndim, in->shape, in->data, err, sizeof err) != 0)
            tgc_fatal("input '%s': %s", in->name, err);
        in->bound = 1;
        return;
    }
    /* name the inputs there are */
    char known[512] = "";
    size_t pos = 0;
    for (int i = 0; i < n_inputs && pos < sizeof known; i++)
        pos += (size_t)snprintf(known + pos, sizeof known - pos, "%s%s", i ? ", " : "",
                                inputs[i].name);
    if (n_inputs == 0)
        tgc_fatal("unknown input '%.*s': this program has no inputs " HINT, (int)name_len, value);
    tgc_fatal("unknown input '%.*s' (inputs: %s) " HINT, (int)name_len, value, known);
}

void tgc_parse_args(int argc, char **argv, const char *program, const char *description,
                    tgc_input *inputs, int n_inputs, tgc_options *opts) {
    if (program == NULL) program = argc > 0 && argv[0] != NULL ? argv[0] : "program";
    opts->seed = 0;
    opts->seed_given = 0;
    opts->out_dir = ".";
    opts->bench_runs = 0;
    opts->threads = 0;
    opts->quiet = 0;
    for (int i = 0; i < n_inputs; i++) inputs[i].bound = 0;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_usage(program, description, inputs, n_inputs);
            exit(0);
        }
        if (strcmp(arg, "--quiet") == 0) {
            opts->quiet = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (arg[0] == '-') tgc_fatal("unknown option '%s' " HINT, arg);
            tgc_fatal("unexpected argument '%s' " HINT, arg);
        }
        /* --flag VALUE or --flag=VALUE */
        char flag[64];
        const char *eq = strchr(arg, '=');
        size_t flag_len = eq ? (size_t)(eq - arg) : strlen(arg);
        if (flag_len >= sizeof flag) flag_len = sizeof flag - 1;
        memcpy(flag, arg, flag_len);
        flag[flag_len] = '\0';
        int known = strcmp(flag, "--seed") == 0 || strcmp(flag, "--in") == 0 ||
                    strcmp(flag, "--out") == 0 || strcmp(flag, "--bench") == 0 ||
                    strcmp(flag, "--threads") == 0;
        const tgc_hyper *hyper = known ? NULL : find_hyperparameter(flag);
        if (!known && hyper == NULL) {
            if (strcmp(flag, "--quiet") == 0 || strcmp(flag, "--help") == 0)
                tgc_fatal("%s takes no value " HINT, flag);
            tgc_fatal("unknown option '%s' " HINT, flag);
        }
        const char *value;
        if (eq != NULL) {
            value = eq + 1;
        } else {
            if (i + 1 >= argc) tgc_fatal("%s needs a value " HINT, flag);
            value = argv[++i];
        }
        if (hyper != NULL) {
            set_hyperparameter(hyper, value);
        } else if (strcmp(flag, "--seed") == 0) {
            opts->seed = parse_count(flag, value, UINT64_MAX);
            opts->seed_given = 1;
        } else if (strcmp(flag, "--in") == 0) {
            bind_input(value, inputs, n_inputs);
        } else if (strcmp(flag, "--out") == 0) {
            check_out_dir(value);
            opts->out_dir = value;
        } else if (strcmp(flag, "--bench") == 0) {
            opts->bench_runs = (int)parse_count(flag, value, INT_MAX);
        } else { /* --threads */
            opts->threads = (int)parse_count(flag, value, 4096);
#ifdef _OPENMP
            if (opts->threads > 0) omp_set_num_threads(opts->threads);
#endif
        }
    }
}

char *tgc_output_path(const tgc_options *opts, const char *path) {
    const char *dir = opts != NULL ? opts->out_dir : NULL;
    size_t plen = strlen(path);
    char *out;
    if (path[0] == '/' || dir == NULL || dir[0] == '\0' || strcmp(dir, ".") == 0) {
        out = malloc(plen + 1);
        if (out == NULL) tgc_fatal("out of memory");
        memcpy(out, path, plen + 1);
        return out;
    }
    size_t dlen = strlen(dir);
    int slash = dir[dlen - 1] != '/';
    out = malloc(dlen + (size_t)slash + plen + 1);
    if (out == NULL) tgc_fatal("out of memory");
    memcpy(out, dir, dlen);
    if (slash) out[dlen] = '/';
    memcpy(out + dlen + (size_t)slash, path, plen + 1);
    return out;
}
