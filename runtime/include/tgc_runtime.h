/* tgc C runtime: the one public header for generated programs and the Swift interpreter. */
#ifndef TGC_RUNTIME_H
#define TGC_RUNTIME_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define TGC_NORETURN __attribute__((noreturn))
#define TGC_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define TGC_NORETURN
#define TGC_PRINTF(fmt_index, first_arg)
#endif

/* ---- dtypes ---------------------------------------------------------------------------- */

/* bool stored as uint8_t 0/1 */
typedef enum { TGC_F32 = 0, TGC_I64 = 1, TGC_BOOL = 2, TGC_F64 = 3, TGC_I32 = 4, TGC_U8 = 5 } tgc_dtype;
#define TGC_MAX_DIMS 8

size_t tgc_dtype_size(tgc_dtype dt);
const char *tgc_dtype_name(tgc_dtype dt); /* "float32", "int64", "bool", "float64", ... */

/* ---- errors and memory ----------------------------------------------------------------- */

/* Prints "error: <message>\n" to stderr and exits with status 1. */
TGC_NORETURN void tgc_fatal(const char *fmt, ...) TGC_PRINTF(1, 2);
/* The same, as "<where>: error: <message>\n" (where: the program's FILE:LINE:COL; "" for none). */
TGC_NORETURN void tgc_fatal_at(const char *where, const char *fmt, ...) TGC_PRINTF(2, 3);
/* A library's error path (`tgc compile --emit lib`): while a trap is set on a thread, tgc_fatal
   and tgc_fatal_at on that thread write their message into it and longjmp to `jump` instead of
   exiting. Each thread has its own trap (thread-local), so threads never share one. */
typedef struct tgc_error_trap {
    jmp_buf jump;
    char message[512];
} tgc_error_trap;
/* Sets this thread's trap (NULL: errors exit again); returns the previous one. */
tgc_error_trap *tgc_set_error_trap(tgc_error_trap *trap);
/* 64-byte aligned, zero-filled, fatal on failure; size 0 gives a valid unique pointer. */
void *tgc_alloc(size_t bytes);
void tgc_free(void *p);
/* Asks the C allocator (glibc's) to keep freed memory for reuse rather than return it to the
   system: a process that frees and allocates buffers of the same sizes over and over (the
   interpreter's tensors) then faults in no fresh pages once it has warmed up. */
void tgc_keep_freed_memory(void);

/* ---- counter-based RNG: Philox4x32-10 -------------------------------------------------- */

/* One Philox4x32-10 block: out = philox(counter ctr, key). Exposed for known-answer tests
   and so other runtimes (CUDA) can be checked against it. */
void tgc_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* key = (lo32(seed), hi32(seed)); block k uses counter (lo32(k), hi32(k), 0, 0) and yields
   4 words. The state is {seed, next block}; every call starts at a fresh block and consumes
   ceil(n / 4) blocks (uniform and normal alike). */
typedef struct { uint64_t seed; uint64_t block; } tgc_rng;
void tgc_rng_seed(tgc_rng *r, uint64_t seed); /* block = 0 */
/* word w -> (float)(w >> 8) * 2^-24, in [0, 1). */
void tgc_rng_uniform(tgc_rng *r, float *out, int64_t n);
/* Box-Muller over word pairs (w0, w1): u1 = ((w0 >> 8) + 1) * 2^-24 in (0, 1],
   u2 = (w1 >> 8) * 2^-24, r = sqrt(-2 log u1), z0 = r cos(2 pi u2), z1 = r sin(2 pi u2),
   in double, rounded to float. out = z0, z1, z0, z1, ...; an odd n drops the last z1. */
void tgc_rng_normal(tgc_rng *r, float *out, int64_t n);

/* ---- string buffer and printing -------------------------------------------------------- */

/* A growable string buffer; data is always NUL-terminated after tgc_str_init. */
typedef struct { char *data; size_t len, cap; } tgc_str;
void tgc_str_init(tgc_str *s);
void tgc_str_append(tgc_str *s, const char *text);
void tgc_str_append_int(tgc_str *s, int64_t v);                 /* decimal */
void tgc_str_append_bool(tgc_str *s, int v);                    /* "True" / "False" */
void tgc_str_append_fixed(tgc_str *s, double v, int precision); /* Python f"{v:.{p}f}" */
void tgc_str_append_float_repr(tgc_str *s, double v);           /* Python repr(float) */
/* PyTorch 2.x `print(t)` text. suffix: NULL/"" or e.g. "requires_grad=True",
   "grad_fn=<AddBackward0>", placed as PyTorch's _add_suffixes places it. */
void tgc_str_append_tensor(tgc_str *s, const void *data, tgc_dtype dt, const int64_t *shape,
                           int ndim, const char *suffix);
/* Python's print of x.tolist(): nested lists ("[[1.0, 2.0], [3.0, 4.0]]"), floats as repr of
   the double, ints in decimal, bools as True/False; a 0-dim tensor is its one number. */
void tgc_str_append_list(tgc_str *s, const void *data, tgc_dtype dt, const int64_t *shape, int ndim);
void tgc_str_println(tgc_str *s, FILE *f); /* writes data + "\n", then empties the buffer */
void tgc_str_write(tgc_str *s, FILE *f);   /* writes data, then empties the buffer */
void tgc_str_free(tgc_str *s);
/* The same text as tgc_str_append_tensor, as a malloc'd string; free it with free(). */
char *tgc_format_tensor(const void *data, tgc_dtype dt, const int64_t *shape, int ndim,
                        const char *suffix);

/* ---- NumPy .npy files ------------------------------------------------------------------ */

/* Reads '<f4', '<f8', '<i8', '<i4', '|u1', '|b1', each as its own dtype; versions 1, 2, 3; C order.
   On error: nonzero return and a message without "error:" prefix in err. */
typedef struct {
    tgc_dtype dtype;   /* the dtype the data loads as */
    char descr[8];     /* the file's descr, e.g. "<f8" */
    int ndim;
    int64_t shape[TGC_MAX_DIMS];
    long data_offset;  /* byte offset of the data in the file */
} tgc_npy_header;
/* Also checks that the file holds the data the header promises. */
int tgc_npy_read_header(const char *path, tgc_npy_header *h, char *err, size_t errlen);
/* Loads into out (room for the given shape) after checking dtype and exact shape. */
int tgc_npy_load(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, void *out,
                 char *err, size_t errlen);
/* Writes a v1.0 file (data 64-byte aligned) via "<path>.tmp.<pid>" and rename(). */
int tgc_npy_save(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape,
                 const void *data, char *err, size_t errlen);

/* ---- IDX files (the MNIST format), gzip'd or not ---------------------------------------- */

/* Magic 0x00 0x00 TYPE RANK, then RANK big-endian uint32 dimensions, then the big-endian data.
   Types read: 0x08 as uint8, 0x0C as int32, 0x0D as float32, 0x0E as float64. A gzip'd file
   is inflated through zlib. On error: nonzero return and a message without "error:" in err. */
typedef struct {
    tgc_dtype dtype;
    int ndim;
    int64_t shape[TGC_MAX_DIMS];
    size_t element_size; /* bytes per element in the file */
} tgc_idx_header;
int tgc_idx_read_header(const char *path, tgc_idx_header *h, char *err, size_t errlen);
/* Loads into out after checking dtype and exact shape; the file must hold exactly that data. */
int tgc_idx_load(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, void *out,
                 char *err, size_t errlen);
/* The `load` op's reader: IDX (first bytes 00 00, or gzip's 1F 8B) or else .npy. */
int tgc_data_load(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, void *out,
                  char *err, size_t errlen);
/* tgc_data_load of the first `rows` rows (along the first dimension; a rank-0 file has one) of a
   file of exactly this dtype and shape: a gzip'd file is inflated only as far as they reach. */
int tgc_data_load_rows(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, int64_t rows,
                       void *out, char *err, size_t errlen);

/* ---- safetensors files ------------------------------------------------------------------ */

/* One tensor of a safetensors file's index. */
typedef struct {
    char *name;            /* UTF-8, malloc'd */
    char dtype_name[8];    /* the file's dtype: "F32", "I64", "BOOL", "F64", "F16", ... */
    size_t element_size;
    int loads_as;          /* the tgc_dtype it loads as (each as itself), or -1 (F16, BF16, ...) */
    int ndim;
    int64_t shape[TGC_MAX_DIMS];
    uint64_t begin, end;   /* byte range in the data that follows the header */
} tgc_safetensors_entry;
typedef struct {
    int count;
    tgc_safetensors_entry *entries; /* in the header's order */
    uint64_t data_start;            /* byte offset of the data in the file */
} tgc_safetensors_index;
/* Reads and validates the header: JSON syntax, known dtypes, each entry's byte count, ranges
   contiguous from 0 to the end of the file. On error: nonzero and a message in err. */
int tgc_safetensors_read_index(const char *path, tgc_safetensors_index *index, char *err, size_t errlen);
void tgc_safetensors_free_index(tgc_safetensors_index *index);
/* Loads tensor `name` into out after checking that it loads as dtype with exactly this shape. */
int tgc_safetensors_load(const char *path, const char *name, tgc_dtype dtype, int ndim, const int64_t *shape,
                         void *out, char *err, size_t errlen);
/* Checks that the file holds no tensor outside names[0..count) (a checkpoint of another model);
   each expected tensor is checked where it is loaded. */
int tgc_safetensors_check_keys(const char *path, int count, const char *const *names, char *err, size_t errlen);
/* A tensor to write. */
typedef struct {
    const char *name;
    tgc_dtype dtype;
    int ndim;
    const int64_t *shape;
    const void *data;
} tgc_safetensors_tensor;
/* Writes the tensors in order (data 8-byte aligned) via "<path>.tmp.<pid>" and rename(). */
int tgc_safetensors_save(const char *path, int count, const tgc_safetensors_tensor *tensors, char *err, size_t errlen);

/* ---- scalar summaries for TensorBoard (src/summary.c) --------------------------------- */

uint32_t tgc_crc32c(const void *data, size_t n);        /* CRC32C (Castagnoli) */
uint32_t tgc_masked_crc32c(const void *data, size_t n); /* TFRecord's masked CRC32C */
/* Logs one scalar under DIR (created if missing): a line "tag,step,value" in DIR/scalars.csv
   and an Event record in DIR/events.out.tfevents.<seconds>.<host>.<pid>.<n>. The first call
   for a DIR in a process (or the first after tgc_summary_close) starts a new event file and
   replaces scalars.csv. Every record is flushed when written. Returns 0, or 1 with err set. */
int tgc_summary_add_scalar(const char *dir, const char *tag, int64_t step, float value, char *err, size_t errlen);
/* Closes DIR's files; the next scalar logged there starts new ones. */
void tgc_summary_close(const char *dir);

/* ---- loop progress (src/progress.c) ----------------------------------------------------- */

/* Reports `done` of `total` iterations of the loop at call site `key` (done = 0 starts its
   clock; done = total ends it): a live bar with rate and time left on stderr when stderr is a
   terminal, else one summary line "LABEL: N/N in Ss (R it/s)" when the loop ends. */
void tgc_progress(const char *key, const char *label, int64_t done, int64_t total);

/* ---- generated programs: options, output paths, timing --------------------------------- */

typedef struct {
    const char *name;
    tgc_dtype dtype;
    int ndim;
    int64_t shape[TGC_MAX_DIMS];
    void *data; /* caller-allocated (if NULL, tgc_parse_args allocates with tgc_alloc) */
    int bound;  /* set to 1 when --in bound it */
} tgc_input;
typedef struct {
    uint64_t seed;
    int seed_given;
    const char *out_dir;
    int bench_runs;
    int threads;
    int quiet;
} tgc_options;
/* A hyperparameter of the program (`hyper("lr", 0.001)`): `--lr X` stores X in *slot; a fixed
   one (its value shapes something static) is rejected with a hint to recompile with -D. */
typedef struct {
    const char *name;
    const char *value; /* as compiled: the default of a run-time one */
    double *slot;      /* NULL when fixed at compile time */
} tgc_hyper;
/* The hyperparameters tgc_parse_args accepts and --help lists (none unless set). */
void tgc_set_hyperparameters(const tgc_hyper *hypers, int count);
/* Parses --seed N, --in NAME=FILE.npy, --out DIR, --bench N, --threads N, --quiet,
   --NAME VALUE for each hyperparameter, --help/-h (and --flag=value forms); errors are fatal
   with a hint to run with --help. */
void tgc_parse_args(int argc, char **argv, const char *program, const char *description,
                    tgc_input *inputs, int n_inputs, tgc_options *opts);
/* out_dir joined with path (absolute paths kept, "." leaves path as is); malloc'd. */
char *tgc_output_path(const tgc_options *opts, const char *path);
double tgc_now_ms(void); /* monotonic clock, milliseconds */
/* Prints "bench: runs=N min_ms=X median_ms=Y" on stderr. */
void tgc_bench_report(const double *run_ms, int n);

/* ---- data-parallel training (src/distributed.c; MPI when compiled with -DTGC_MPI) ---------- */

/* MPI_Init (with TGC_MPI); fatal unless required_ranks is 0 or the number of processes. */
void tgc_distributed_init(int *argc, char ***argv, int required_ranks);
/* MPI_Finalize (with TGC_MPI), after the TGC_ALLREDUCE_STATS report on stderr when that is set. */
void tgc_distributed_finalize(void);
/* This process's rank (0 without MPI) and the number of processes (1 without MPI). */
int tgc_process_rank(void);
int tgc_process_count(void);
/* out = the mean over the processes of in (n elements; in == out allowed): MPI_Allreduce with
   MPI_SUM, then a scale by 1/size; a copy without MPI. */
void tgc_all_reduce_mean_f32(const float *in, float *out, int64_t n);
void tgc_all_reduce_mean_f64(const double *in, double *out, int64_t n);
/* The exit of a fatal error: MPI_Abort (so mpirun stops every process) when MPI is running, else exit(1). */
TGC_NORETURN void tgc_exit_failure(void);

/* ---- threads (src/threads.c) ------------------------------------------------------------ */

/* Runs the calling thread's next OpenMP regions on at most `threads` threads (its
   omp_set_num_threads; other threads are not affected) and returns the count it had, for
   tgc_threads_restore; a limit of 0 or above the count changes nothing. Generated code runs
   the runtime calls too small to share among threads this way (tgc_threads_limit(1)). Without
   OpenMP both do nothing (the limit returned is 1). */
int tgc_threads_limit(int threads);
void tgc_threads_restore(int previous);

/* ---- matrix multiply (src/gemm*.c) ----------------------------------------------------- */

/* C[m x n] = alpha * op(A) * op(B) + beta * C, fp32, all row-major; op(X) = X, or X transposed
   when trans_x is nonzero, so op(A) is m x k and op(B) is k x n. lda/ldb/ldc are row strides
   in elements (lda >= k, or >= m when trans_a; ldb >= n, or >= k when trans_b; ldc >= n).
   beta = 0 means C is not read (it may hold NaN); alpha = 0 or k = 0 gives beta * C without
   reading A or B. Packed, cache-blocked, AVX-512/AVX2 FMA kernels chosen at run time (portable
   C elsewhere); the small products MKL adds in plain order (few columns and a short k:
   tgc_sgemm_in_plain_order below) add their rounded products from k = 0, as PyTorch's; OpenMP
   threads when the product is large and the caller is not already in a parallel region. Results do not depend on the thread count. Pack buffers are cached per
   thread and only grow (at most ~4.5 MiB for a calling thread, 448 KiB for an OpenMP worker),
   so repeated calls allocate nothing; a thread's buffers are freed when it exits. */
void tgc_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
               const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
               int64_t ldc);

/* Whether a product of n result columns and inner size k is one MKL adds in plain order on an
   AVX2 machine (PyTorch's CPU matmul): each result the rounded products of its row and column
   added from k = 0, no fused multiply-add. Measured against torch 2.13 for m up to 1000, k up to
   19 and n up to 10; independent of m, so splitting C's rows among threads keeps it.
   tgc_sgemm and the CUDA runtime's tgc_cuda_sgemm (matrix products) add these in plain order. */
static inline int tgc_sgemm_in_plain_order(int64_t n, int64_t k) {
    return (k <= 4 && n <= 8) || (k <= 7 && n >= 2 && n <= 8) || (k <= 17 && (n == 2 || n == 3 || n == 4 || n == 8));
}

/* An epilogue of tgc_sgemm_epilogue: finishes C[i][j] for i0 <= i < i1, j0 <= j < j1 in place
   (bias, activation, any elementwise function of C and other data at (i, j)). */
typedef void (*tgc_sgemm_epilogue_fn)(void *ctx, int64_t i0, int64_t i1, int64_t j0, int64_t j1);

/* tgc_sgemm, then epilogue(ctx, ...) on blocks of C that cover it exactly once, each called
   as soon as its elements are final (still in cache), possibly from several OpenMP threads at
   once (on disjoint blocks): it must open no parallel region. The blocks depend on the thread
   count; an epilogue that computes each element from that element alone gives the same
   result on any number of threads. */
void tgc_sgemm_epilogue(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                        const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                        float *c, int64_t ldc, tgc_sgemm_epilogue_fn epilogue, void *ctx);

/* A constant operand of tgc_sgemm packed once, in the micro-panels tgc_sgemm reads: op(A)
   [m, k] (tgc_sgemm_pack_a) or op(B) [k, n] (tgc_sgemm_pack_b), for the kernel tgc_sgemm uses
   on this CPU. A library packs its weights once per context (docs/DEPLOY.md); a product that
   reads a packed operand skips packing it, with the same panels, so the same bits. Made with
   tgc_alloc (a failure is tgc_fatal's); tgc_sgemm_packed_free or tgc_packed_free releases it
   (NULL is ignored). */
typedef struct tgc_sgemm_packed tgc_sgemm_packed;
tgc_sgemm_packed *tgc_sgemm_pack_a(int trans_a, int64_t m, int64_t k, const float *a, int64_t lda);
tgc_sgemm_packed *tgc_sgemm_pack_b(int trans_b, int64_t k, int64_t n, const float *b, int64_t ldb);
void tgc_sgemm_packed_free(tgc_sgemm_packed *packed);

/* Releases an operand packed beforehand, of any kind (tgc_sgemm_pack_a/b, tgc_conv2d_pack_f32;
   NULL is ignored): each such object starts with the function that releases it. */
void tgc_packed_free(void *packed);

/* tgc_sgemm_epilogue (epilogue may be NULL) with op(A) read from `pa` instead of (trans_a, a,
   lda) when pa is not NULL, and op(B) from `pb` likewise; a packed operand of other sizes than
   the product's is a fatal error. The result is tgc_sgemm_epilogue's, bit for bit. */
void tgc_sgemm_prepacked(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                         const float *a, int64_t lda, const tgc_sgemm_packed *pa, const float *b, int64_t ldb,
                         const tgc_sgemm_packed *pb, float beta, float *c, int64_t ldc,
                         tgc_sgemm_epilogue_fn epilogue, void *ctx);

/* ---- 2-D convolution (src/conv.c) ------------------------------------------------------ */

/* The geometry of F.conv2d: input [n, c, h, w], weight [o, c / groups, kh, kw], output
   [n, o, oh, ow]; stride, padding and dilation per axis. */
typedef struct {
    int64_t n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, groups, oh, ow;
} tgc_conv2d_shape;

/* y = conv2d(x, w): im2col of each image into a scratch buffer, then tgc_sgemm per group
   (a 1x1, stride 1, unpadded kernel reads x directly); Winograd (F(2x2, 3x3), or F(4x4, 3x3)
   where its 4x4 tiles take fewer products, the layer has 2048+ pairs of input and output
   channels and the CPU has AVX-512) for a 3x3, stride
   1, undilated, ungrouped one with 16+ input and output channels. Images (tiles) run in
   parallel (OpenMP); the result does not depend on the thread count, nor on how a batch is
   split among calls. */
void tgc_conv2d_f32(const tgc_conv2d_shape *s, const float *x, const float *w, float *y);
/* The weights w of a forward convolution prepared once for many calls (a library context's,
   which never change): Winograd's transformed weights where the convolution takes that path,
   else NULL (nothing to prepare; tgc_conv2d_prepacked_f32 then reads w as tgc_conv2d_f32
   does). Made with tgc_alloc; tgc_packed_free releases it. tgc_conv2d_prepacked_f32 is
   tgc_conv2d_f32 with them (`packed` made for s's channels and kernel, any batch size): the
   same operations on the same values, so the same bits. */
typedef struct tgc_conv2d_packed tgc_conv2d_packed;
tgc_conv2d_packed *tgc_conv2d_pack_f32(const tgc_conv2d_shape *s, const float *w);
void tgc_conv2d_prepacked_f32(const tgc_conv2d_shape *s, const float *x, const float *w, const tgc_conv2d_packed *packed,
                              float *y);
/* gx = the gradient of conv2d with respect to x, given gy: w^T gy per image, then col2im;
   Winograd (a correlation of gy with the flipped weights) where the forward takes
   it and the padding is at most 2. */
void tgc_conv2d_input_grad_f32(const tgc_conv2d_shape *s, const float *gy, const float *w, float *gx);
/* gw = the gradient of conv2d with respect to w: the im2col of each image times its gy
   transposed, summed over images in a fixed order (runs of images in parallel); by Winograd
   Winograd where the forward takes it, per run of images the same way. */
void tgc_conv2d_weight_grad_f32(const tgc_conv2d_shape *s, const float *x, const float *gy, float *gw);
/* The same gradient in pieces, for a caller that runs the runs of images on threads of its own
   (the interpreter, whose runtime has no OpenMP): tgc_conv2d_weight_grad_runs(s) runs (0 when
   there is no image, output position, output channel or tap: then gw is zeros, or empty),
   each one's sum written by tgc_conv2d_weight_grad_run_f32 into its c·kh·kw·o floats of `sums`
   (run r at r·c·kh·kw·o; from any thread, one run each), then tgc_conv2d_weight_grad_total_f32
   adds them into gw. The bits are tgc_conv2d_weight_grad_f32's. */
int64_t tgc_conv2d_weight_grad_runs(const tgc_conv2d_shape *s);
void tgc_conv2d_weight_grad_run_f32(const tgc_conv2d_shape *s, const float *x, const float *gy, int64_t run, float *sums);
void tgc_conv2d_weight_grad_total_f32(const tgc_conv2d_shape *s, float *sums, float *gw);
/* The same three in float64: direct loops summing in a fixed order. */
void tgc_conv2d_f64(const tgc_conv2d_shape *s, const double *x, const double *w, double *y);
void tgc_conv2d_input_grad_f64(const tgc_conv2d_shape *s, const double *gy, const double *w, double *gx);
void tgc_conv2d_weight_grad_f64(const tgc_conv2d_shape *s, const double *x, const double *gy, double *gw);

/* The argmax of each max-pooling window (F.max_pool2d's indices, iy·w + ix in the input
   plane; padding left out; the first of equal maxima, the last NaN) of x [n, c, h, w] into
   out [n, c, oh, ow]; s->o = s->c, s->groups = 1 (src/pool.c). */
void tgc_max_pool2d_indices_f32(const tgc_conv2d_shape *s, const float *x, int64_t *out);
void tgc_max_pool2d_indices_f64(const tgc_conv2d_shape *s, const double *x, int64_t *out);
/* The maximum of each max-pooling window: x at tgc_max_pool2d_indices_*'s index (the same
   bits as gathering there), without the index buffer: max pooling where no gradient needs
   the indices. y is [n, c, oh, ow]. */
void tgc_max_pool2d_f32(const tgc_conv2d_shape *s, const float *x, float *y);
void tgc_max_pool2d_f64(const tgc_conv2d_shape *s, const double *x, double *y);
/* Max pooling of relu((x + bias[c]) · scale[c] + shift[c]) (bias may be NULL; `fused` rounds
   the product and the sum once, fmaf, else apart): the
   activations are made plane by plane where they are pooled, never stored. Writes the
   indices (when not NULL) and the values (when not NULL) that tgc_max_pool2d_indices_f32 and
   tgc_max_pool2d_f32 give for the activations, the same bits; convolution, batch norm, ReLU
   and max pooling in one pass over the convolution's output. The outputs may lie over bias,
   scale and shift (they are read first), not over x. */
void tgc_max_pool2d_affine_relu_f32(const tgc_conv2d_shape *s, const float *x, const float *bias, const float *scale,
                                    const float *shift, int fused, int64_t *indices, float *values);

/* ---- sums in PyTorch's order ------------------------------------------------------------- */

/* torch.sum of a row-major tensor of `shape` over the axes whose bits are set in `reduced`
   (bit i: axis i), adding its elements in the order of PyTorch's CPU cascade_sum on one thread
   (AVX2 vector widths), so the result has its bits; out holds the kept axes, row-major. An
   empty reduction gives 0. */
void tgc_cascade_sum_f32(const float *x, float *out, int rank, const int64_t *shape, uint64_t reduced);
void tgc_cascade_sum_f64(const double *x, double *out, int rank, const int64_t *shape, uint64_t reduced);
/* nll_loss's sum of the n per-sample values of x (row-major, sample order), skipping those
   whose skip byte is set (skip may be NULL), in the order of PyTorch's CPU nll_loss. */
float tgc_nll_sum_f32(const float *x, const uint8_t *skip, int64_t n);
double tgc_nll_sum_f64(const double *x, const uint8_t *skip, int64_t n);

/* ---- sorting ----------------------------------------------------------------------------- */

/* argsort of a row-major tensor seen as [outer, n, inner] along its middle dimension:
   out[o, :, i] = the indices that order x[o, :, i], stable (ties keep index order), NaN
   largest (last ascending, first descending), as torch.sort on the CPU. O(n log n) a row. */
void tgc_argsort_f32(const float *x, int64_t *out, int64_t outer, int64_t n, int64_t inner, int descending);
void tgc_argsort_i64(const int64_t *x, int64_t *out, int64_t outer, int64_t n, int64_t inner, int descending);
void tgc_argsort_f64(const double *x, int64_t *out, int64_t outer, int64_t n, int64_t inner, int descending);
void tgc_argsort_i32(const int32_t *x, int64_t *out, int64_t outer, int64_t n, int64_t inner, int descending);
void tgc_argsort_u8(const uint8_t *x, int64_t *out, int64_t outer, int64_t n, int64_t inner, int descending);

#ifdef __cplusplus
}
#endif

#include "tgc_math.h"

#endif /* TGC_RUNTIME_H */
