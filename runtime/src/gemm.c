/* tgc_sgemm: C = alpha * op(A) * op(B) + beta * C in fp32, GotoBLAS/BLIS style.

   Loops, outermost first:  jc (nc columns of C)  ->  pc (kc of the k dimension; pack the
   kc x nc block of op(B) into NR-wide micro-panels, threads sharing the work)  ->  ic (mc rows;
   each thread packs its mc x kc block of op(A) into MR-tall micro-panels, kept in L2)  ->  jr
   (one B micro-panel)  ->  ir (one A micro-panel)  ->  micro-kernel (MR x NR tile in
   registers; a block of one row, e.g. a matrix-vector product, runs all its B micro-panels in
   one k loop instead, the kernel's row_kernel). k is cut into equal blocks of at most kc. Packing applies the transposes and zero-pads partial panels, so the kernels only
   ever see aligned contiguous panels; tiles at the C edges are written under a mask.

   Threads (OpenMP, when the product is big enough and we are not already inside a parallel
   region) split the B micro-panels (the columns of C) when each gets a few: a thread then packs
   and reads only its own panels of op(B), in its own core's cache, and meets the others at no
   barrier (each packs all of op(A), the smaller operand of a short wide product). Otherwise
   they split the rows of C and share one packed block of op(B): a thread packs part of it and
   reads all of it, across cores. On two cores of a Zen 4 the columns ran B6's three
   Linear(3136, 128) products (64 x 128 x 3136, 64 x 3136 x 128, 128 x 3136 x 64) in 263, 246
   and 244 us against 332, 301 and 287 us by rows. Every C element is computed by the same
   sequence of operations whatever the split, so the result does not depend on the thread count.

   An optional epilogue (tgc_sgemm_epilogue) runs on each block of C that a thread finishes
   (mc rows by that thread's columns of an nc block), right after its last k block.

   Pack buffers are cached per thread (POSIX thread-specific data, freed when the thread
   exits) and only grow: repeated calls, e.g. in a training loop, allocate nothing.

   A constant operand (a library's weights) may be packed once beforehand (tgc_sgemm_pack_a/b):
   its panels, those the driver would pack, are then read where they lie. Packed B panels are
   shared read-only, so its threads need no barriers; packed A panels are cut per MR rows, so
   its threads split the rows of C at MR boundaries. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "gemm_internal.h"
#include "tgc_runtime.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Below this many multiply-adds per thread, extra threads cost more than they save: waking a
   sleeping OpenMP worker (OMP_WAIT_POLICY=passive) and the barriers after packing B take
   5-10 us, and 2M multiply-adds take 30-40 us on one AVX-512 core; a 64 x 196 x 288 product
   (3.6M) ran slower on 2 threads than on 1 (74 vs 88 us, a loaded 2-core machine). */
#define TGC_GEMM_MIN_WORK_PER_THREAD (1 << 21)
/* A product whose op(B) was packed beforehand (a library's weights) shares no packing, so its
   threads meet at no barrier, and splits from this many multiply-adds per thread: under the
   default (spinning) OpenMP wait policy a parallel region that follows another costs ~1 us, and
   the one-image Linear(3136, 128) of the deployed classifier (401K multiply-adds, 1.6 MB of
   packed weights) took 26 us on one thread and 16 us on two, each thread reading the same half
   of the panels on every call, which then stays in its core's L2. */
#define TGC_GEMM_MIN_WORK_PER_THREAD_PREPACKED (1 << 17)
/* Threads split B's micro-panels when each gets at least this many, else the rows of C when
   each gets at least TGC_GEMM_MIN_ROWS of them, else the panels there are. */
#define TGC_GEMM_MIN_PANELS 2
#define TGC_GEMM_MIN_ROWS 8

/* ---- portable kernel: 4 x 16, plain C the compiler may vectorize ------------------------ */

#define GEN_MR 4
#define GEN_NR 16

static void kernel_generic(int64_t kc, const float *pa, const float *pb, float *c, int64_t ldc,
                           float alpha, float beta, int mr, int nr) {
    float acc[GEN_MR][GEN_NR];
    memset(acc, 0, sizeof acc);
    for (int64_t p = 0; p < kc; p++) {
        for (int r = 0; r < GEN_MR; r++) {
            float av = pa[r];
            for (int j = 0; j < GEN_NR; j++) {
                float prod = av * pb[j];
                acc[r][j] = acc[r][j] + prod;
            }
        }
        pa += GEN_MR;
        pb += GEN_NR;
    }
    for (int r = 0; r < mr; r++) {
        float *cr = c + r * ldc;
        for (int j = 0; j < nr; j++) {
            float v = alpha * acc[r][j];
            if (beta != 0.0f) {
                float w = beta * cr[j];
                v = v + w;
            }
            cr[j] = v;
        }
    }
}

static const tgc__gemm_kernel_info generic_info = {
    "generic", GEN_MR, GEN_NR, 64 * GEN_MR, 256, 256 * GEN_NR, kernel_generic, NULL, NULL, NULL, NULL};

/* ---- kernel registry ------------------------------------------------------------------- */

#define MAX_KERNELS 4
static const tgc__gemm_kernel_info *kernels[MAX_KERNELS];
static int n_kernels;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_key_t buf_key;

typedef struct {
    float *a, *b;
    size_t a_cap, b_cap; /* in floats */
} pack_bufs;

static void free_bufs(void *p) {
    pack_bufs *pb = p;
    if (pb == NULL) return;
    tgc_free(pb->a);
    tgc_free(pb->b);
    free(pb);
}

static void gemm_init(void) {
    n_kernels = tgc__gemm_x86_kernels(kernels, MAX_KERNELS - 1);
    kernels[n_kernels++] = &generic_info;
    if (pthread_key_create(&buf_key, free_bufs) != 0) tgc_fatal("sgemm: pthread_key_create failed");
}

int tgc__gemm_kernels(const tgc__gemm_kernel_info **out) {
    pthread_once(&init_once, gemm_init);
    for (int i = 0; i < n_kernels; i++) out[i] = kernels[i];
    return n_kernels;
}

static pack_bufs *thread_bufs(void) {
    pack_bufs *pb = pthread_getspecific(buf_key);
    if (pb == NULL) {
        pb = calloc(1, sizeof *pb);
        if (pb == NULL || pthread_setspecific(buf_key, pb) != 0)
            tgc_fatal("sgemm: cannot allocate pack buffers");
    }
    return pb;
}

static float *grow(float **buf, size_t *cap, size_t need) {
    if (*cap < need) {
        tgc_free(*buf);
        *buf = tgc_alloc(need * sizeof(float));
        *cap = need;
    }
    return *buf;
}

/* ---- packing --------------------------------------------------------------------------- */

/* Both operands pack the same two ways. A w-wide micro-panel holds, for p < kb, the w values
   dst[p*w + r] = X_r[p] (r < rows; zeros for rows <= r < w), where X_r is one of two layouts:
   "gather": X_r[p] = src[r*ld + p] (rows of the source become columns of the panel: op(A)
   without transpose, op(B) transposed); "copy": X_r[p] = src[p*ld + r] (each source row gives
   one contiguous panel row: op(A) transposed, op(B) without transpose). */
static void pack_gather(const float *src, int64_t ld, int rows, int64_t kb, int w, float *dst) {
    /* Chunks of 16 columns across all rows: every row's stream stays in flight and the
       chunk of the panel being written stays in L1. */
    for (int64_t q = 0; q < kb; q += 16) {
        const int64_t qn = kb - q < 16 ? kb - q : 16;
        for (int r = 0; r < rows; r++) {
            const float *s = src + r * ld + q;
            float *d = dst + q * w + r;
            for (int64_t p = 0; p < qn; p++) d[p * w] = s[p];
        }
        for (int r = rows; r < w; r++)
            for (int64_t p = 0; p < qn; p++) dst[(q + p) * w + r] = 0.0f;
    }
}

static void pack_copy(const float *src, int64_t ld, int rows, int64_t kb, int w, float *dst) {
    for (int64_t p = 0; p < kb; p++) {
        float *d = dst + p * w;
        memcpy(d, src + p * ld, (size_t)rows * sizeof(float));
        for (int r = rows; r < w; r++) d[r] = 0.0f;
    }
}

/* One MR-tall micro-panel of op(A): rows i0 .. i0+rows-1, k range p0 .. p0+kb-1. */
static void pack_a_panel(const tgc__gemm_kernel_info *ki, const float *a, int64_t lda,
                         int trans, int64_t i0, int rows, int64_t p0, int64_t kb, float *dst) {
    if (trans)
        (ki->pack_copy ? ki->pack_copy : pack_copy)(a + p0 * lda + i0, lda, rows, kb, ki->mr, dst);
    else
        (ki->pack_gather ? ki->pack_gather : pack_gather)(a + i0 * lda + p0, lda, rows, kb, ki->mr,
                                                          dst);
}

/* One NR-wide micro-panel of op(B): columns j0 .. j0+cols-1, k range p0 .. p0+kb-1. */
static void pack_b_panel(const tgc__gemm_kernel_info *ki, const float *b, int64_t ldb,
                         int trans, int64_t j0, int cols, int64_t p0, int64_t kb, float *dst) {
    if (!trans)
        (ki->pack_copy ? ki->pack_copy : pack_copy)(b + p0 * ldb + j0, ldb, cols, kb, ki->nr, dst);
    else
        (ki->pack_gather ? ki->pack_gather : pack_gather)(b + j0 * ldb + p0, ldb, cols, kb, ki->nr,
                                                          dst);
}

/* ---- driver ---------------------------------------------------------------------------- */

typedef struct {
    const tgc__gemm_kernel_info *ki;
    int trans_a, trans_b, split_m;
    int64_t m, n, k;
    float alpha, beta;
    const float *a, *b;
    int64_t lda, ldb, ldc, kc; /* kc: the k block, <= ki->kc */
    float *c;
    float *bpack; /* shared kc x nc packed block of op(B) */
    tgc_sgemm_epilogue_fn epilogue;
    void *epilogue_ctx;
    tgc__gemm_pack_fn pack_a, pack_b; /* NULL: pack op(A), op(B) from a, b */
    void *pack_a_ctx, *pack_b_ctx;
    const float *a_packed, *b_packed; /* all panels packed beforehand (NULL: none) */
} gemm_ctx;

/* The floats of one k step of a whole packed operand: its lines rounded up to whole panels. */
static int64_t padded_lines(int64_t lines, int width) { return (lines + width - 1) / width * width; }

static int64_t part(int64_t total, int parts, int idx) { return total * idx / parts; }

static void gemm_body(const gemm_ctx *g, int tid, int nt) {
    const tgc__gemm_kernel_info *ki = g->ki;
    const int MR = ki->mr, NR = ki->nr;
    const int64_t MC = ki->mc, NC = ki->nc;
    pack_bufs *bufs = thread_bufs();
    float *apack = g->a_packed != NULL ? NULL : grow(&bufs->a, &bufs->a_cap, (size_t)MC * (size_t)g->kc);
    float *bpack = g->bpack;
    /* This thread's rows of C, an even share in pairs of rows, or of MR rows when A is packed
       beforehand (all of them when the threads split columns instead). */
    int64_t row0 = 0, row1 = g->m;
    if (g->split_m) {
        const int64_t step = g->a_packed != NULL ? MR : 2, steps = (g->m + step - 1) / step;
        row0 = part(steps, nt, tid) * step;
        row1 = part(steps, nt, tid + 1) * step;
        if (row1 > g->m) row1 = g->m;
    }
    const int64_t a_padded = padded_lines(g->m, MR), b_padded = padded_lines(g->n, NR);
    /* the panels of one thread's region when threads split them (sgemm_run sizes the buffer) */
    const int64_t max_panels = ((g->n < NC ? g->n : NC) + NR - 1) / NR, own_panels = (max_panels + nt - 1) / nt;
    for (int64_t jc = 0; jc < g->n; jc += NC) {
        const int64_t nb = g->n - jc < NC ? g->n - jc : NC;
        const int64_t n_panels = (nb + NR - 1) / NR;
        int64_t q0 = 0, q1 = n_panels; /* this thread's B micro-panels */
        if (!g->split_m) {
            q0 = part(n_panels, nt, tid);
            q1 = part(n_panels, nt, tid + 1);
        }
        for (int64_t pc = 0; pc < g->k; pc += g->kc) {
            const int64_t kb = g->k - pc < g->kc ? g->k - pc : g->kc;
            const float beta = pc == 0 ? g->beta : 1.0f;
            const int shared_b = g->b_packed == NULL; /* B packed here, shared: barriers */
            if (!shared_b) bpack = (float *)g->b_packed + pc * b_padded + jc * kb;
            /* Panel q of this k block is at panels + q·kb·NR. Threads that share the block use
               one layout; a thread that packs and reads only its own panels keeps them in a
               region of its own, whatever the k block and the nc block: a shorter last block
               then moves no panel into another thread's region while that thread still reads it. */
            float *panels = shared_b && !g->split_m ? bpack + tid * own_panels * g->kc * NR - q0 * kb * NR : bpack;
            /* Pack op(B)[pc:pc+kb, jc:jc+nb], micro-panels shared out among the threads. */
            for (int64_t q = part(n_panels, nt, tid); shared_b && q < part(n_panels, nt, tid + 1); q++) {
                const int64_t j0 = q * NR;
                const int cols = (int)(nb - j0 < NR ? nb - j0 : NR);
                if (g->pack_b != NULL)
                    g->pack_b(g->pack_b_ctx, jc + j0, cols, pc, kb, NR, panels + q * kb * NR);
                else
                    pack_b_panel(ki, g->b, g->ldb, g->trans_b, jc + j0, cols, pc, kb,
                                 panels + q * kb * NR);
            }
#ifdef _OPENMP
            if (nt > 1 && shared_b && g->split_m) { /* split panels: each reads only its own */
#pragma omp barrier
            }
#endif
            for (int64_t ic = row0; ic < row1; ic += MC) {
                const int64_t mb = row1 - ic < MC ? row1 - ic : MC;
                const int64_t mp = (mb + MR - 1) / MR;
                if (g->a_packed != NULL) apack = (float *)g->a_packed + pc * a_padded + ic * kb;
                const int one_row = mb == 1 && ki->row_kernel != NULL; /* its panels in one k loop */
                /* a row of A in memory the row kernel reads in place, unpacked */
                const int row_in_place = one_row && g->a_packed == NULL && g->pack_a == NULL;
                for (int64_t i = 0; g->a_packed == NULL && !row_in_place && i < mp; i++) {
                    const int rows = (int)(mb - i * MR < MR ? mb - i * MR : MR);
                    if (g->pack_a != NULL)
                        g->pack_a(g->pack_a_ctx, ic + i * MR, rows, pc, kb, MR, apack + i * kb * MR);
                    else
                        pack_a_panel(ki, g->a, g->lda, g->trans_a, ic + i * MR, rows, pc, kb,
                                     apack + i * kb * MR);
                }
                if (one_row && q0 < q1) {
                    const int64_t j_last = (q1 - 1) * NR;
                    const float *row = !row_in_place ? apack : g->trans_a ? g->a + pc * g->lda + ic : g->a + ic * g->lda + pc;
                    const int64_t step = !row_in_place ? MR : g->trans_a ? g->lda : 1;
                    ki->row_kernel(kb, row, step, panels + q0 * kb * NR, (int)(q1 - q0), g->c + ic * g->ldc + jc + q0 * NR,
                                   g->alpha, beta, (int)(nb - j_last < NR ? nb - j_last : NR));
                }
                for (int64_t q = one_row ? q1 : q0; q < q1; q++) {
                    const int64_t j0 = q * NR;
                    const int cols = (int)(nb - j0 < NR ? nb - j0 : NR);
                    const float *pb = panels + q * kb * NR;
                    for (int64_t i = 0; i < mp; i++) {
                        const int rows = (int)(mb - i * MR < MR ? mb - i * MR : MR);
                        float *cp = g->c + (ic + i * MR) * g->ldc + jc + j0;
                        ki->kernel(kb, apack + i * kb * MR, pb, cp, g->ldc, g->alpha, beta,
                                   rows, cols);
                    }
                }
                /* This block of C is final after the last k block: its epilogue runs now,
                   while the block is still in cache. */
                if (g->epilogue != NULL && pc + kb == g->k && q0 < q1) {
                    const int64_t j1 = q1 * NR < nb ? q1 * NR : nb;
                    g->epilogue(g->epilogue_ctx, ic, ic + mb, jc + q0 * NR, jc + j1);
                }
            }
#ifdef _OPENMP
            if (nt > 1 && shared_b && g->split_m) {
#pragma omp barrier
            }
#endif
        }
    }
}

/* C = beta * C over m x n (beta == 0 writes zeros without reading C). */
static void scale_c(int64_t m, int64_t n, float beta, float *c, int64_t ldc) {
    for (int64_t i = 0; i < m; i++) {
        float *cr = c + i * ldc;
        if (beta == 0.0f)
            memset(cr, 0, (size_t)n * sizeof(float));
        else if (beta != 1.0f)
            for (int64_t j = 0; j < n; j++) cr[j] = beta * cr[j];
    }
}

int64_t tgc__gemm_k_block(const tgc__gemm_kernel_info *ki, int64_t k) {
    /* k blocks of equal size (a multiple of 8) rather than ki->kc and a short remainder. */
    const int64_t k_blocks = (k + ki->kc - 1) / ki->kc;
    int64_t kb_max = (k + k_blocks - 1) / k_blocks;
    if (k_blocks > 1) kb_max = (kb_max + 7) / 8 * 8;
    return kb_max;
}

void tgc__gemm_pack_a(const tgc__gemm_kernel_info *ki, int trans_a, const float *a, int64_t lda, int64_t m, int64_t p0,
                      int64_t kb, float *dst) {
    for (int64_t i = 0; i * ki->mr < m; i++) {
        const int rows = (int)(m - i * ki->mr < ki->mr ? m - i * ki->mr : ki->mr);
        pack_a_panel(ki, a, lda, trans_a, i * ki->mr, rows, p0, kb, dst + i * kb * ki->mr);
    }
}

/* Runs the product g describes (its operands, c and the rest set; k > 0, alpha != 0). */
static void sgemm_run(gemm_ctx g, int threads) {
    const tgc__gemm_kernel_info *ki = g.ki;
    const int64_t kb_max = tgc__gemm_k_block(ki, g.k);
    g.kc = kb_max;
    g.split_m = 1;
    const int64_t nb_max = g.n < ki->nc ? g.n : ki->nc;
    const int64_t n_panels = (nb_max + ki->nr - 1) / ki->nr;

    int nt = threads > 0 ? threads : 1;
#ifdef _OPENMP
    if (threads <= 0 && !omp_in_parallel()) {
        nt = omp_get_max_threads();
        const double min_work = g.b_packed != NULL ? TGC_GEMM_MIN_WORK_PER_THREAD_PREPACKED : TGC_GEMM_MIN_WORK_PER_THREAD;
        double cap = (double)g.m * (double)g.n * (double)g.k / min_work;
        if (cap < nt) nt = cap < 1.0 ? 1 : (int)cap;
    }
#else
    nt = 1;
#endif
    if (nt > 1) {
        /* Split B's panels, or rows (edge tiles skip padded rows, so any even share runs at
           full speed) when there are too few panels and enough rows. */
        g.split_m = n_panels < TGC_GEMM_MIN_PANELS * nt && g.m >= TGC_GEMM_MIN_ROWS * nt;
        int64_t units = g.split_m ? (g.m + TGC_GEMM_MIN_ROWS - 1) / TGC_GEMM_MIN_ROWS : n_panels;
        if (units < nt) nt = (int)(units < 1 ? 1 : units);
    }

    if (g.b_packed == NULL) {
        pack_bufs *bufs = thread_bufs();
        /* split panels: each thread's region rounded up to whole panels (gemm_body) */
        const int64_t panels = g.split_m ? n_panels : n_panels + nt - 1;
        g.bpack = grow(&bufs->b, &bufs->b_cap, (size_t)(panels * ki->nr) * (size_t)kb_max);
    }

#ifdef _OPENMP
    if (nt > 1) {
#pragma omp parallel num_threads(nt)
        gemm_body(&g, omp_get_thread_num(), omp_get_num_threads());
        return;
    }
#endif
    gemm_body(&g, 0, 1);
}

/* Checks the sizes; 1 when there is a product left to run (else C is done). */
static int sgemm_start(int64_t m, int64_t n, int64_t k, float alpha, float beta, float *c, int64_t ldc,
                       tgc_sgemm_epilogue_fn epilogue, void *epilogue_ctx) {
    pthread_once(&init_once, gemm_init);
    if (m < 0 || n < 0 || k < 0)
        tgc_fatal("sgemm: negative size m=%lld n=%lld k=%lld", (long long)m, (long long)n,
                  (long long)k);
    if (m == 0 || n == 0) return 0;
    if (ldc < n) tgc_fatal("sgemm: ldc=%lld < n=%lld", (long long)ldc, (long long)n);
    if (k == 0 || alpha == 0.0f) {
        scale_c(m, n, beta, c, ldc);
        if (epilogue != NULL) epilogue(epilogue_ctx, 0, m, 0, n);
        return 0;
    }
    return 1;
}

void tgc__sgemm_with(const tgc__gemm_kernel_info *ki, int threads, int trans_a, int trans_b,
                     int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                     const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
                     tgc_sgemm_epilogue_fn epilogue, void *epilogue_ctx) {
    const tgc__gemm_operand oa = {a, lda, trans_a, NULL, NULL}, ob = {b, ldb, trans_b, NULL, NULL};
    tgc__sgemm_packing(ki, threads, m, n, k, alpha, &oa, &ob, beta, c, ldc, epilogue, epilogue_ctx);
}

/* C = alpha · op(A) op(B) + beta · C with each sum in plain order (tgc_sgemm_in_plain_order). */
static void sgemm_plain(int64_t m, int64_t n, int64_t k, float alpha, const tgc__gemm_operand *a,
                        const tgc__gemm_operand *b, float beta, float *c, int64_t ldc) {
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            float sum = 0.0f;
            for (int64_t p = 0; p < k; p++) {
                const float x = a->trans ? a->data[p * a->ld + i] : a->data[i * a->ld + p];
                const float y = b->trans ? b->data[j * b->ld + p] : b->data[p * b->ld + j];
                const float product = x * y;
                sum = p == 0 ? product : sum + product;
            }
            if (alpha != 1.0f) sum = alpha * sum;
            c[i * ldc + j] = beta == 0.0f ? sum : sum + beta * c[i * ldc + j];
        }
    }
}

/* tgc__sgemm_packing, with op(A) and op(B) read from panels packed beforehand where a_packed,
   b_packed are not NULL (tgc_sgemm_packed's layout; the operand's other fields unused; a
   product in plain order reads the operands' data instead). */
static void sgemm_operands(const tgc__gemm_kernel_info *ki, int threads, int64_t m, int64_t n, int64_t k, float alpha,
                           const tgc__gemm_operand *a, const float *a_packed, const tgc__gemm_operand *b,
                           const float *b_packed, float beta, float *c, int64_t ldc, tgc_sgemm_epilogue_fn epilogue,
                           void *epilogue_ctx) {
    if (!sgemm_start(m, n, k, alpha, beta, c, ldc, epilogue, epilogue_ctx)) return;
    if ((a->pack == NULL && a_packed == NULL && a->ld < (a->trans ? m : k))
        || (b->pack == NULL && b_packed == NULL && b->ld < (b->trans ? k : n)))
        tgc_fatal("sgemm: lda=%lld or ldb=%lld too small", (long long)a->ld, (long long)b->ld);
    if (a->pack == NULL && b->pack == NULL && a->data != NULL && b->data != NULL && tgc_sgemm_in_plain_order(n, k)) {
        sgemm_plain(m, n, k, alpha, a, b, beta, c, ldc);
        if (epilogue != NULL) epilogue(epilogue_ctx, 0, m, 0, n);
        return;
    }
    gemm_ctx g = {ki, a->trans != 0, b->trans != 0, 1, m, n, k, alpha, beta, a->data, b->data, a->ld, b->ld, ldc,
                  0, c, NULL, epilogue, epilogue_ctx, a->pack, b->pack, a->pack_ctx, b->pack_ctx, a_packed, b_packed};
    sgemm_run(g, threads);
}

void tgc__sgemm_packing(const tgc__gemm_kernel_info *ki, int threads, int64_t m, int64_t n, int64_t k, float alpha,
                        const tgc__gemm_operand *a, const tgc__gemm_operand *b, float beta, float *c, int64_t ldc,
                        tgc_sgemm_epilogue_fn epilogue, void *epilogue_ctx) {
    sgemm_operands(ki, threads, m, n, k, alpha, a, NULL, b, NULL, beta, c, ldc, epilogue, epilogue_ctx);
}

const tgc__gemm_kernel_info *tgc__gemm_best_kernel(void) {
    pthread_once(&init_once, gemm_init);
    return kernels[0];
}

void tgc_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
               const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
               int64_t ldc) {
    pthread_once(&init_once, gemm_init);
    tgc__sgemm_with(kernels[0], 0, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c,
                    ldc, NULL, NULL);
}

void tgc_sgemm_epilogue(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                        const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                        float *c, int64_t ldc, tgc_sgemm_epilogue_fn epilogue, void *ctx) {
    pthread_once(&init_once, gemm_init);
    tgc__sgemm_with(kernels[0], 0, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c,
                    ldc, epilogue, ctx);
}

/* ---- operands packed beforehand -------------------------------------------------------- */

struct tgc_sgemm_packed {
    void (*release)(void *);         /* tgc_packed_free's (first, as in every packed object) */
    const tgc__gemm_kernel_info *ki; /* the kernel whose panels these are */
    int is_b;                        /* op(B) (lines: its n columns), else op(A) (its m rows) */
    int64_t lines, k;
    float *panels;                   /* k block after k block of tgc__gemm_k_block, each block's
                                        panels in order: panel i of the block at k = p0 at
                                        panels + p0·(lines rounded up to panels) + i·kb·width */
};

static void release_packed(void *packed) {
    tgc_free(((tgc_sgemm_packed *)packed)->panels);
    tgc_free(packed);
}

/* Every micro-panel of op(A) (is_b = 0) or op(B), k block after k block, as gemm_body packs them. */
static tgc_sgemm_packed *pack_operand(int is_b, int trans, int64_t lines, int64_t k, const float *x, int64_t ld) {
    pthread_once(&init_once, gemm_init);
    const tgc__gemm_kernel_info *ki = kernels[0];
    const int width = is_b ? ki->nr : ki->mr;
    if (lines < 0 || k < 0) tgc_fatal("sgemm: negative size %lld x %lld to pack", (long long)lines, (long long)k);
    if (lines > 0 && k > 0 && ld < (is_b == (trans != 0) ? k : lines))
        tgc_fatal("sgemm: leading dimension %lld too small to pack", (long long)ld);
    tgc_sgemm_packed *p = tgc_alloc(sizeof *p);
    const int64_t padded = padded_lines(lines, width), kb_max = k > 0 ? tgc__gemm_k_block(ki, k) : 1;
    *p = (tgc_sgemm_packed){release_packed, ki, is_b, lines, k, tgc_alloc((size_t)(padded * k > 0 ? padded * k : 1) * sizeof(float))};
    for (int64_t pc = 0; pc < k; pc += kb_max) {
        const int64_t kb = k - pc < kb_max ? k - pc : kb_max;
        for (int64_t l0 = 0; l0 < lines; l0 += width) {
            const int count = (int)(lines - l0 < width ? lines - l0 : width);
            float *dst = p->panels + pc * padded + l0 * kb;
            if (is_b)
                pack_b_panel(ki, x, ld, trans, l0, count, pc, kb, dst);
            else
                pack_a_panel(ki, x, ld, trans, l0, count, pc, kb, dst);
        }
    }
    return p;
}

tgc_sgemm_packed *tgc_sgemm_pack_a(int trans_a, int64_t m, int64_t k, const float *a, int64_t lda) {
    return pack_operand(0, trans_a, m, k, a, lda);
}

tgc_sgemm_packed *tgc_sgemm_pack_b(int trans_b, int64_t k, int64_t n, const float *b, int64_t ldb) {
    return pack_operand(1, trans_b, n, k, b, ldb);
}

void tgc_sgemm_packed_free(tgc_sgemm_packed *packed) { tgc_packed_free(packed); }

/* The panels of a packed operand of a product (NULL for none), checked against the product's
   sizes and kernel. */
static const float *panels_of(const tgc__gemm_kernel_info *ki, int is_b, const tgc_sgemm_packed *packed, int64_t lines,
                              int64_t k) {
    if (packed == NULL) return NULL;
    if (packed->is_b != is_b || packed->lines != lines || packed->k != k || packed->ki != ki)
        tgc_fatal("sgemm: a packed %s of %lld x %lld does not fit a product of %s %lld x %lld", packed->is_b ? "B" : "A",
                  (long long)(packed->is_b ? packed->k : packed->lines), (long long)(packed->is_b ? packed->lines : packed->k),
                  is_b ? "op(B)" : "op(A)", (long long)(is_b ? k : lines), (long long)(is_b ? lines : k));
    return packed->panels;
}

void tgc_sgemm_prepacked(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                         const float *a, int64_t lda, const tgc_sgemm_packed *pa, const float *b, int64_t ldb,
                         const tgc_sgemm_packed *pb, float beta, float *c, int64_t ldc,
                         tgc_sgemm_epilogue_fn epilogue, void *ctx) {
    pthread_once(&init_once, gemm_init);
    const tgc__gemm_operand oa = {a, lda, trans_a, NULL, NULL}, ob = {b, ldb, trans_b, NULL, NULL};
    sgemm_operands(kernels[0], 0, m, n, k, alpha, &oa, panels_of(kernels[0], 0, pa, m, k), &ob,
                   panels_of(kernels[0], 1, pb, n, k), beta, c, ldc, epilogue, ctx);
}
