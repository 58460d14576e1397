/* tgc_cuda_emulate.h: runs CUDA C on the CPU, for testing kernels without a GPU (included by
   tgc_cuda.h when TGC_CUDA_EMULATE is defined; compile as C++17 with g++ -x c++).

   The model: a launch runs the grid's blocks one after another on each OS thread (blocks are
   spread over OpenMP threads when compiled with -fopenmp). A block runs its CUDA threads as
   fibers, one stack each, cut from one allocation per OS thread: a fiber runs until it reaches a
   barrier (__syncthreads, a warp shuffle, __syncwarp) or returns, then the block's scheduler
   runs the next one. __syncthreads releases when every thread of the block has reached it; a
   warp shuffle releases when every lane of the warp named in its mask has reached it (warps are
   32 consecutive threads, as on the GPU). A barrier that can never release (a thread returned,
   or waits at another barrier) is reported as an error, never a hang. __shared__ variables are
   static thread_local: one copy per OS thread, which runs one block at a time.

   Fibers switch with a few instructions on x86-64 (callee-saved registers and the stack
   pointer); elsewhere, or with -DTGC_EMU_UCONTEXT, with ucontext's swapcontext (which costs a
   system call per switch). Each stack is TGC_EMU_STACK_BYTES (64 KiB unless defined) with a
   guard page below it, so a kernel that overflows it stops with SIGSEGV.

   Limits: no memory model beyond "a fiber runs until it blocks" (a race that the GPU would show
   is hidden); shuffles with a mask must be called by exactly the lanes in that mask, in the same
   order; device memory is host memory (a kernel may read a host pointer without error);
   cooperative groups, textures, streams and events are absent. */
#ifndef TGC_CUDA_EMULATE_H
#define TGC_CUDA_EMULATE_H

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include <sys/mman.h>
#include <unistd.h>

#if !defined(__x86_64__) && !defined(TGC_EMU_UCONTEXT)
#define TGC_EMU_UCONTEXT 1
#endif
#ifdef TGC_EMU_UCONTEXT
#include <ucontext.h>
#endif

#ifndef TGC_EMU_STACK_BYTES
#define TGC_EMU_STACK_BYTES (64 * 1024)
#endif

/* ---- CUDA's keywords and built-in types ---- */

#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
#define __shared__ static thread_local

struct uint3 {
    unsigned x, y, z;
};

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};

/* CUDA's vector type of four floats (16-byte aligned: one 128-bit load or store on the GPU). */
struct __attribute__((aligned(16))) float4 {
    float x, y, z, w;
};
static inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }

static const int warpSize = 32;

namespace tgc_emu {

/* Where a fiber stands. */
enum FiberState { runnable, at_block_barrier, at_warp_barrier, finished };

/* One CUDA thread: its saved stack pointer (or context), index and state. */
struct Fiber {
#ifdef TGC_EMU_UCONTEXT
    ucontext_t context;
#else
    void *sp;
#endif
    uint3 thread_idx;
    int lane, warp;
    FiberState state;
    unsigned exchanges;   /* shuffles done so far: picks the slot buffer of the next one */
};

/* One warp's barrier and the buffers its shuffles exchange values through (two, alternating,
   so a lane that runs ahead never overwrites a value another lane has yet to read). */
struct Warp {
    unsigned lanes;       /* bit i: lane i exists (the last warp of a block may be partial) */
    int arrived;
    uint64_t slots[2][32];
};

/* The block being run on this OS thread: its fibers, barriers and the launch it belongs to
   (plain data, so the thread_local below needs no constructor on each access). */
struct Block {
    const char *kernel;
    const char *file;
    int line;
    uint3 block_idx, block_dim, grid_dim;
    Fiber *fibers;
    int capacity, count, finished, block_arrived;
    Warp *warps;
    char *stacks;
    size_t guard_bytes, stack_bytes;   /* each fiber: a guard page, then its stack */
    unsigned char *dynamic_shared;
    size_t dynamic_shared_capacity;
    void (*invoke)(const void *);
    const void *callable;
#ifdef TGC_EMU_UCONTEXT
    ucontext_t scheduler;
#else
    void *scheduler_sp;
#endif
};

inline thread_local Block block_state;
inline thread_local Fiber *current_fiber = nullptr;

/* Reports an error of the running kernel in the shape of a CUDA launch error and exits. */
[[noreturn]] inline void kernel_error(const Block &b, const char *message) {
    fflush(stdout);
    fprintf(stderr, "tgc: CUDA error in kernel %s (%s:%d): %s\n", b.kernel, b.file, b.line, message);
    fflush(stderr);
    _Exit(1);
}

#ifndef TGC_EMU_UCONTEXT
/* Saves the callee-saved registers on the current stack and its pointer in *save, then
   continues on the stack `to` (System V x86-64). */
__attribute__((naked, noinline)) static void switch_stack(void ** /*save*/, void * /*to*/) {
    __asm__ volatile(
        "pushq %rbp\n\tpushq %rbx\n\tpushq %r12\n\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n\t"
        "subq $8, %rsp\n\tstmxcsr (%rsp)\n\tfnstcw 4(%rsp)\n\t"
        "movq %rsp, (%rdi)\n\tmovq %rsi, %rsp\n\t"
        "ldmxcsr (%rsp)\n\tfldcw 4(%rsp)\n\taddq $8, %rsp\n\t"
        "popq %r15\n\tpopq %r14\n\tpopq %r13\n\tpopq %r12\n\tpopq %rbx\n\tpopq %rbp\n\tret\n\t");
}
#endif

/* Suspends the running fiber and returns to the block's scheduler. */
inline void yield_to_scheduler(Fiber *f) {
    Block &b = block_state;
#ifdef TGC_EMU_UCONTEXT
    swapcontext(&f->context, &b.scheduler);
#else
    switch_stack(&f->sp, b.scheduler_sp);
#endif
}

/* The first frame of every fiber: runs the kernel for one CUDA thread, then hands back. */
[[noreturn]] inline void fiber_main() {
    Block &b = block_state;
    b.invoke(b.callable);
    Fiber *f = current_fiber;
    f->state = finished;
    b.finished++;
    yield_to_scheduler(f);
    __builtin_unreachable();
}

/* Grows this OS thread's fiber storage to `count` fibers (stacks with guard pages below them). */
inline void reserve_fibers(Block &b, int count) {
    if (count <= b.capacity) return;
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t stack = ((size_t)TGC_EMU_STACK_BYTES + page - 1) / page * page;
    if (b.stacks) munmap(b.stacks, (b.guard_bytes + b.stack_bytes) * (size_t)b.capacity);
    free(b.fibers);
    free(b.warps);
    b.guard_bytes = page;
    b.stack_bytes = stack;
    b.stacks = (char *)mmap(nullptr, (page + stack) * (size_t)count, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    b.fibers = (Fiber *)calloc((size_t)count, sizeof(Fiber));
    b.warps = (Warp *)calloc((size_t)(count + 31) / 32, sizeof(Warp));
    if (b.stacks == MAP_FAILED || !b.fibers || !b.warps) kernel_error(b, "out of memory (fiber stacks)");
    for (int i = 0; i < count; i++) mprotect(b.stacks + (page + stack) * (size_t)i, page, PROT_NONE);
    b.capacity = count;
}

/* Prepares fiber i to start in fiber_main on its own stack. */
inline void start_fiber(Block &b, int i) {
    Fiber &f = b.fibers[i];
    char *low = b.stacks + (b.guard_bytes + b.stack_bytes) * (size_t)i + b.guard_bytes;
    const size_t size = b.stack_bytes;
#ifdef TGC_EMU_UCONTEXT
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = low;
    f.context.uc_stack.ss_size = size;
    f.context.uc_link = nullptr;
    makecontext(&f.context, (void (*)())fiber_main, 0);
#else
    /* The stack as switch_stack leaves it: MXCSR/x87 control words, six registers, then the
       return address fiber_main (entered with the stack 8 bytes past a 16-byte boundary, as
       after a call). */
    uintptr_t top = ((uintptr_t)(low + size)) & ~(uintptr_t)15;
    uint64_t *sp = (uint64_t *)top;
    *--sp = 0;                              /* fiber_main's own return address: never used */
    *--sp = (uint64_t)(uintptr_t)&fiber_main;
    for (int r = 0; r < 6; r++) *--sp = 0;  /* rbp rbx r12 r13 r14 r15 */
    --sp;
    uint32_t mxcsr;
    uint16_t fpu_cw;
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr), "=m"(fpu_cw));
    memcpy(sp, &mxcsr, 4);
    memcpy((char *)sp + 4, &fpu_cw, 2);
    f.sp = sp;
#endif
}

/* Runs one block: every fiber until all have returned; a barrier that can never release stops
   the program with an error. */
inline void run_block(Block &b) {
    const int n = b.count;
    reserve_fibers(b, n);
    const unsigned bx = b.block_dim.x, by = b.block_dim.y;
    for (int i = 0; i < n; i++) {
        Fiber &f = b.fibers[i];
        f.thread_idx = uint3{(unsigned)i % bx, ((unsigned)i / bx) % by, (unsigned)i / (bx * by)};
        f.lane = i % 32;
        f.warp = i / 32;
        f.state = runnable;
        f.exchanges = 0;
        start_fiber(b, i);
    }
    for (int w = 0; w < (n + 31) / 32; w++) {
        int lanes = n - w * 32 < 32 ? n - w * 32 : 32;
        b.warps[w].lanes = lanes == 32 ? 0xffffffffu : ((1u << lanes) - 1u);
        b.warps[w].arrived = 0;
    }
    b.finished = 0;
    b.block_arrived = 0;
    while (b.finished < n) {
        bool ran = false;
        for (int i = 0; i < n; i++) {
            Fiber *f = &b.fibers[i];
            if (f->state != runnable) continue;
            ran = true;
            current_fiber = f;
#ifdef TGC_EMU_UCONTEXT
            swapcontext(&b.scheduler, &f->context);
#else
            switch_stack(&b.scheduler_sp, f->sp);
#endif
        }
        if (ran || b.finished == n) continue;
        int at_block = 0, at_warp = 0;
        for (int i = 0; i < n; i++) {
            at_block += b.fibers[i].state == at_block_barrier;
            at_warp += b.fibers[i].state == at_warp_barrier;
        }
        char message[256];
        snprintf(message, sizeof message,
                 "barrier misuse in block (%u,%u,%u): of its %d threads, %d wait at __syncthreads, "
                 "%d wait at a warp shuffle or __syncwarp, %d have returned (a barrier must be "
                 "reached by every thread of the block, or every lane of the warp's mask)",
                 b.block_idx.x, b.block_idx.y, b.block_idx.z, n, at_block, at_warp, b.finished);
        kernel_error(b, message);
    }
    current_fiber = nullptr;
}

/* __syncthreads: waits until every thread of the block is here. */
inline void block_barrier() {
    Block &b = block_state;
    Fiber *f = current_fiber;
    if (++b.block_arrived == b.count) {
        b.block_arrived = 0;
        for (int i = 0; i < b.count; i++)
            if (b.fibers[i].state == at_block_barrier) b.fibers[i].state = runnable;
        return;
    }
    f->state = at_block_barrier;
    yield_to_scheduler(f);
}

/* __syncwarp(mask) and the barrier inside every shuffle: waits until every existing lane of
   the running warp named in mask is here. */
inline void warp_barrier(unsigned mask) {
    Block &b = block_state;
    Fiber *f = current_fiber;
    Warp &w = b.warps[f->warp];
    const int expected = __builtin_popcount(mask & w.lanes);
    if (++w.arrived >= expected) {
        w.arrived = 0;
        Fiber *first = &b.fibers[f->warp * 32];
        for (int l = 0; l < 32; l++)
            if ((w.lanes >> l & 1u) && first[l].state == at_warp_barrier) first[l].state = runnable;
        return;
    }
    f->state = at_warp_barrier;
    yield_to_scheduler(f);
}

/* The value `var` of lane `source` of the running warp (its own when source is outside the
   warp or names no lane): the exchange behind every __shfl*_sync. */
template <typename T>
inline T exchange(unsigned mask, T var, int source) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "shuffle of a value over 8 bytes");
    Fiber *f = current_fiber;
    Warp &w = block_state.warps[f->warp];
    uint64_t *slots = w.slots[f->exchanges++ & 1u];
    memcpy(&slots[f->lane], &var, sizeof(T));
    warp_barrier(mask);
    if (source < 0 || source >= 32 || !(w.lanes >> source & 1u)) return var;
    T out;
    memcpy(&out, &slots[source], sizeof(T));
    return out;
}

/* Type-erases a kernel call with its arguments for the fibers. */
template <typename Call>
void invoke_call(const void *call) {
    (*(const Call *)call)();
}

/* Checks a launch's configuration as the CUDA runtime does (cudaErrorInvalidConfiguration). */
inline bool valid_configuration(dim3 grid, dim3 block, size_t shared_bytes) {
    const uint64_t threads = (uint64_t)block.x * block.y * block.z;
    return grid.x >= 1 && grid.y >= 1 && grid.z >= 1 && grid.x <= 2147483647u && grid.y <= 65535 &&
           grid.z <= 65535 && block.x >= 1 && block.y >= 1 && block.z >= 1 && block.x <= 1024 &&
           block.y <= 1024 && block.z <= 64 && threads <= 1024 && shared_bytes <= 227 * 1024;
}

/* Runs kernel<<<grid, block, shared_bytes>>>(args...) on the CPU; returns when it has finished. */
template <typename... Params, typename... Args>
void launch(const char *name, const char *file, int line, void (*kernel)(Params...), dim3 grid, dim3 block,
            size_t shared_bytes, Args &&...args) {
    if (!valid_configuration(grid, block, shared_bytes)) {
        Block b{};
        b.kernel = name;
        b.file = file;
        b.line = line;
        kernel_error(b, "invalid configuration argument");
    }
    auto call = [&]() { kernel(args...); };
    using Call = decltype(call);
    const int64_t blocks = (int64_t)grid.x * grid.y * grid.z;
    const int threads = (int)(block.x * block.y * block.z);
#pragma omp parallel for schedule(dynamic) if (blocks > 1)
    for (int64_t id = 0; id < blocks; id++) {
        Block &b = block_state;
        b.kernel = name;
        b.file = file;
        b.line = line;
        b.grid_dim = uint3{grid.x, grid.y, grid.z};
        b.block_dim = uint3{block.x, block.y, block.z};
        b.block_idx = uint3{(unsigned)(id % grid.x), (unsigned)(id / grid.x % grid.y),
                            (unsigned)(id / ((int64_t)grid.x * grid.y))};
        b.count = threads;
        if (shared_bytes > b.dynamic_shared_capacity) {
            free(b.dynamic_shared);
            b.dynamic_shared = (unsigned char *)aligned_alloc(16, (shared_bytes + 15) / 16 * 16);
            if (!b.dynamic_shared) kernel_error(b, "out of memory (dynamic shared memory)");
            b.dynamic_shared_capacity = shared_bytes;
        }
        b.invoke = &invoke_call<Call>;
        b.callable = &call;
        run_block(b);
    }
}

}  // namespace tgc_emu

/* ---- built-in variables and functions of device code ---- */

#define threadIdx (tgc_emu::current_fiber->thread_idx)
#define blockIdx (tgc_emu::block_state.block_idx)
#define blockDim (tgc_emu::block_state.block_dim)
#define gridDim (tgc_emu::block_state.grid_dim)

/* The launch's dynamic shared memory (`extern __shared__ T name[]` on the GPU). */
#define TGC_DYNAMIC_SHARED(type, name) type *name = (type *)tgc_emu::block_state.dynamic_shared

inline void __syncthreads() { tgc_emu::block_barrier(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) { tgc_emu::warp_barrier(mask); }
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() {}
inline unsigned __activemask() { return tgc_emu::block_state.warps[tgc_emu::current_fiber->warp].lanes; }

template <typename T>
inline T __shfl_sync(unsigned mask, T var, int src_lane, int width = 32) {
    const int lane = tgc_emu::current_fiber->lane;
    return tgc_emu::exchange(mask, var, (lane & ~(width - 1)) + (src_lane & (width - 1)));
}
template <typename T>
inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32) {
    const int lane = tgc_emu::current_fiber->lane;
    const int source = (lane & (width - 1)) + (int)delta < width ? lane + (int)delta : -1;
    return tgc_emu::exchange(mask, var, source);
}
template <typename T>
inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32) {
    const int lane = tgc_emu::current_fiber->lane;
    const int source = (lane & (width - 1)) >= (int)delta ? lane - (int)delta : -1;
    return tgc_emu::exchange(mask, var, source);
}
template <typename T>
inline T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = 32) {
    const int lane = tgc_emu::current_fiber->lane;
    const int source = lane ^ lane_mask;
    return tgc_emu::exchange(mask, var, source < ((lane / width) + 1) * width ? source : -1);
}
inline unsigned __ballot_sync(unsigned mask, int predicate) {
    unsigned bits = 0;
    const unsigned lanes = tgc_emu::block_state.warps[tgc_emu::current_fiber->warp].lanes & mask;
    const int own = predicate != 0;
    for (int l = 0; l < 32; l++)   /* one exchange per lane keeps every lane in step */
        if (tgc_emu::exchange(mask, own, l) && (lanes >> l & 1u)) bits |= 1u << l;
    return bits;
}
inline int __any_sync(unsigned mask, int predicate) { return __ballot_sync(mask, predicate) != 0; }
inline int __all_sync(unsigned mask, int predicate) {
    return __ballot_sync(mask, predicate) == (tgc_emu::block_state.warps[tgc_emu::current_fiber->warp].lanes & mask);
}

/* Atomics: fibers of one block never interleave, but blocks may run on several OS threads. */
template <typename T>
inline T tgc_emu_atomic_update(T *address, T (*update)(T, T), T value) {
    T old = __atomic_load_n(address, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(address, &old, update(old, value), true, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
    }
    return old;
}
/* atomicAdd on a float or a double: compare-and-swap on its bits (Bits, of the same size). */
template <typename T, typename Bits>
inline T tgc_emu_atomic_add_bits(T *address, T value) {
    Bits *bits = (Bits *)address, old = __atomic_load_n(bits, __ATOMIC_RELAXED), next;
    do {
        T sum;
        memcpy(&sum, &old, sizeof sum);
        sum += value;
        memcpy(&next, &sum, sizeof sum);
    } while (!__atomic_compare_exchange_n(bits, &old, next, true, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
    memcpy(&value, &old, sizeof value);
    return value;
}
inline float atomicAdd(float *address, float value) { return tgc_emu_atomic_add_bits<float, uint32_t>(address, value); }
inline double atomicAdd(double *address, double value) { return tgc_emu_atomic_add_bits<double, uint64_t>(address, value); }
inline int atomicAdd(int *address, int value) { return __atomic_fetch_add(address, value, __ATOMIC_SEQ_CST); }
inline unsigned atomicAdd(unsigned *address, unsigned value) { return __atomic_fetch_add(address, value, __ATOMIC_SEQ_CST); }
inline unsigned long long atomicAdd(unsigned long long *address, unsigned long long value) {
    return __atomic_fetch_add(address, value, __ATOMIC_SEQ_CST);
}
inline int atomicMax(int *address, int value) {
    return tgc_emu_atomic_update<int>(address, [](int a, int b) { return a > b ? a : b; }, value);
}
inline int atomicMin(int *address, int value) {
    return tgc_emu_atomic_update<int>(address, [](int a, int b) { return a < b ? a : b; }, value);
}
inline int atomicExch(int *address, int value) { return __atomic_exchange_n(address, value, __ATOMIC_SEQ_CST); }
inline float atomicExch(float *address, float value) {
    uint32_t bits;
    memcpy(&bits, &value, 4);
    bits = __atomic_exchange_n((uint32_t *)address, bits, __ATOMIC_SEQ_CST);
    memcpy(&value, &bits, 4);
    return value;
}
inline int atomicCAS(int *address, int compare, int value) {
    __atomic_compare_exchange_n(address, &compare, value, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return compare;
}
inline unsigned atomicCAS(unsigned *address, unsigned compare, unsigned value) {
    __atomic_compare_exchange_n(address, &compare, value, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return compare;
}
inline unsigned long long atomicCAS(unsigned long long *address, unsigned long long compare, unsigned long long value) {
    __atomic_compare_exchange_n(address, &compare, value, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return compare;
}

/* Loads, intrinsics and integer built-ins, with the host's libm for the fast-math ones. */
template <typename T>
inline T __ldg(const T *p) { return *p; }
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __tanf(float x) { return tanf(x); }
inline float __powf(float a, float b) { return powf(a, b); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __fsqrt_rn(float x) { return sqrtf(x); }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline double __fma_rn(double a, double b, double c) { return fma(a, b, c); }
inline float __saturatef(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline int __float_as_int(float x) { int i; memcpy(&i, &x, 4); return i; }
inline unsigned __float_as_uint(float x) { unsigned i; memcpy(&i, &x, 4); return i; }
inline float __int_as_float(int i) { float x; memcpy(&x, &i, 4); return x; }
inline float __uint_as_float(unsigned i) { float x; memcpy(&x, &i, 4); return x; }
inline long long __double_as_longlong(double x) { long long i; memcpy(&i, &x, 8); return i; }
inline double __longlong_as_double(long long i) { double x; memcpy(&x, &i, 8); return x; }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((uint64_t)a * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
    return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline unsigned __brev(unsigned x) {
    unsigned r = 0;
    for (int i = 0; i < 32; i++) r |= ((x >> i) & 1u) << (31 - i);
    return r;
}
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }

/* ---- the host side that tgc_cuda.h builds on ---- */

/* Launches under emulation; errors are reported by the emulation itself. */
#define TGC_EMU_LAUNCH(name, kernel, grid, block, shared_bytes, file, dsl_line, ...) \
    tgc_emu::launch(name, file, dsl_line, kernel, dim3(grid), dim3(block), (size_t)(shared_bytes), ##__VA_ARGS__)

#endif /* TGC_CUDA_EMULATE_H */
