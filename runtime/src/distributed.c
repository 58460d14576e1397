/* Data-parallel training over MPI (docs/DISTRIBUTED.md). Compiled with -DTGC_MPI (by mpicc, for
   `tgc compile --distributed mpi`) it initializes MPI, averages gradients with MPI_Allreduce and
   aborts every process when one fails; compiled without it (every other program, the
   interpreter) it is one process of rank 0, and the all-reduce is a copy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tgc_runtime.h"

#ifdef TGC_MPI
#include <mpi.h>
#endif

static int world_rank = 0;
static int world_size = 1;
static int64_t all_reduce_calls = 0;
static double all_reduce_ms = 0;
static double run_start_ms = 0;

int tgc_process_rank(void) { return world_rank; }
int tgc_process_count(void) { return world_size; }

void tgc_distributed_init(int *argc, char ***argv, int required_ranks) {
#ifdef TGC_MPI
    MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    if (required_ranks > 0 && world_size != required_ranks) {
        if (world_rank == 0) {
            fprintf(stderr, "error: this program's data shards were compiled for %d processes "
                            "(tgc compile --distributed mpi --ranks %d), but mpirun started %d: "
                            "run mpirun -np %d, or recompile with --ranks %d\n",
                    required_ranks, required_ranks, world_size, required_ranks, world_size);
            fflush(stderr);
        }
        MPI_Finalize();
        exit(1);
    }
#else
    (void)argc;
    (void)argv;
    (void)required_ranks;
#endif
    run_start_ms = tgc_now_ms();
}

/* With TGC_ALLREDUCE_STATS set, rank 0 reports on stderr how many all-reduce calls the run made
   and the share of its time they took (rank 0's clock). */
static void report_statistics(void) {
    const char *wanted = getenv("TGC_ALLREDUCE_STATS");
    if (wanted == NULL || *wanted == '\0' || world_rank != 0) return;
    double total_ms = tgc_now_ms() - run_start_ms;
    fprintf(stderr, "all-reduce: %d processes, %lld calls, %.3f s of %.3f s (%.1f%%)\n", world_size,
            (long long)all_reduce_calls, all_reduce_ms / 1000, total_ms / 1000,
            total_ms > 0 ? 100 * all_reduce_ms / total_ms : 0.0);
}

void tgc_distributed_finalize(void) {
    report_statistics();
#ifdef TGC_MPI
    MPI_Finalize();
#endif
}

TGC_NORETURN void tgc_exit_failure(void) {
#ifdef TGC_MPI
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (initialized && !finalized) MPI_Abort(MPI_COMM_WORLD, 1);
#endif
    exit(1);
}

/* out = the mean over the processes of in (n elements); in == out is allowed. */
static void all_reduce_mean(const void *in, void *out, int64_t n, size_t element_size, int is_double) {
    double start = tgc_now_ms();
    if (in != out) memcpy(out, in, element_size * (size_t)n);
#ifdef TGC_MPI
    /* MPI counts are int: reduce in pieces of at most 2^30 elements. */
    for (int64_t done = 0; done < n;) {
        int64_t count = n - done < (INT64_C(1) << 30) ? n - done : (INT64_C(1) << 30);
        char *piece = (char *)out + element_size * (size_t)done;
        MPI_Allreduce(MPI_IN_PLACE, piece, (int)count, is_double ? MPI_DOUBLE : MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        done += count;
    }
    if (is_double) {
        double *y = out, scale = 1.0 / world_size;
        for (int64_t i = 0; i < n; i++) y[i] *= scale;
    } else {
        float *y = out, scale = 1.0f / (float)world_size;
        for (int64_t i = 0; i < n; i++) y[i] *= scale;
    }
#else
    (void)is_double;
#endif
    all_reduce_calls++;
    all_reduce_ms += tgc_now_ms() - start;
}

void tgc_all_reduce_mean_f32(const float *in, float *out, int64_t n) { all_reduce_mean(in, out, n, sizeof(float), 0); }
void tgc_all_reduce_mean_f64(const double *in, double *out, int64_t n) { all_reduce_mean(in, out, n, sizeof(double), 1); }
