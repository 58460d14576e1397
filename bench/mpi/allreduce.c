/* The all-reduce cost model's inputs (docs/DISTRIBUTED.md, `make bench-mpi`): the time of
   MPI_Allreduce (MPI_SUM of floats, in place, as the runtime calls it) and of a ping-pong
   between ranks 0 and 1, for messages from 4 bytes to 16 MiB. Rank 0 prints one line per size:
   "allreduce BYTES SECONDS" and "pingpong BYTES SECONDS" (one-way), each the median of repeats. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *times, int n) {
    qsort(times, (size_t)n, sizeof *times, compare);
    return times[n / 2];
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    enum { most = 4 << 20, repeats = 15 };
    float *buffer = malloc(sizeof(float) * most);
    for (int i = 0; i < most; i++) buffer[i] = 1.0f / (float)(i % 97 + 1);
    double times[repeats];
    if (rank == 0) printf("# %d processes\n", size);
    for (long count = 1; count <= most; count *= 4) {
        int rounds = count < 4096 ? 100 : count < (1 << 18) ? 10 : 2;
        for (int r = 0; r < repeats; r++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double start = MPI_Wtime();
            for (int k = 0; k < rounds; k++) MPI_Allreduce(MPI_IN_PLACE, buffer, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            times[r] = (MPI_Wtime() - start) / rounds;
        }
        double reduce = median(times, repeats);
        for (int r = 0; r < repeats; r++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double start = MPI_Wtime();
            for (int k = 0; k < rounds; k++) {
                if (rank == 0) {
                    MPI_Send(buffer, (int)count, MPI_FLOAT, 1, 0, MPI_COMM_WORLD);
                    MPI_Recv(buffer, (int)count, MPI_FLOAT, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                } else if (rank == 1) {
                    MPI_Recv(buffer, (int)count, MPI_FLOAT, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                    MPI_Send(buffer, (int)count, MPI_FLOAT, 0, 0, MPI_COMM_WORLD);
                }
            }
            times[r] = (MPI_Wtime() - start) / rounds / 2;
        }
        double pingpong = median(times, repeats);
        if (rank == 0) printf("allreduce %ld %.9f\npingpong %ld %.9f\n", count * 4, reduce, count * 4, pingpong);
        fflush(stdout);
    }
    free(buffer);
    MPI_Finalize();
    return 0;
}
