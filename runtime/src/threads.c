/* tgc_threads_limit / tgc_threads_restore: a call too small to share among threads (a
   convolution of one image) runs on the calling thread alone, so the runtime's OpenMP regions
   inside it start no team. The limit is the calling thread's OpenMP thread count (its
   nthreads-var), so other threads, each with their own library context, are not affected. */
#ifdef _OPENMP
#include <omp.h>
#endif

#include "tgc_runtime.h"

int tgc_threads_limit(int threads) {
#ifdef _OPENMP
    const int previous = omp_get_max_threads();
    if (threads >= 1 && threads < previous) omp_set_num_threads(threads);
    return previous;
#else
    (void)threads;
    return 1;
#endif
}

void tgc_threads_restore(int previous) {
#ifdef _OPENMP
    if (previous >= 1) omp_set_num_threads(previous);
#else
    (void)previous;
#endif
}
