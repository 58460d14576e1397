"""NumPy peer: B1 (matmul), B2 (elementwise chain), B3 (sum, row softmax), B9 (slice
difference, concatenation), B8 (per-op cost
of adding two 1-element arrays). bench/run.py runs it with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset (set on some of these machines, they slow a current OpenBLAS)."""
import numpy as np

import common


def main():
    args = common.parse_args(__doc__)
    blas = "unknown"
    try:
        import threadpoolctl
        if args.threads:
            threadpoolctl.threadpool_limits(args.threads)
        pools = threadpoolctl.threadpool_info()
        blas = ", ".join(f"{p.get('internal_api')} {p.get('version')} {p.get('architecture')} "
                         f"threads={p.get('num_threads')}" for p in pools)
    except ImportError:
        pass
    common.info(f"numpy {np.__version__}; BLAS: {blas}")
    rng = np.random.default_rng(1234)
    t = args.target_s

    for n in common.MATMUL_SIZES:
        key = f"b1_{n}"
        if common.wanted(args, key):
            a, b = common.random_f32(rng, (n, n)), common.random_f32(rng, (n, n))
            common.bench(key, lambda: a @ b, t)

    if common.wanted(args, "b2"):
        a, b, c = (common.random_f32(rng, common.N16M) for _ in range(3))
        common.bench("b2", lambda: np.maximum(a * b + c, 0.0) * np.float32(0.5) - a, t)
        del a, b, c

    if common.wanted(args, "b3_sum"):
        x = common.random_f32(rng, common.N16M)
        common.bench("b3_sum", lambda: x.sum(), t)
        del x

    if common.wanted(args, "b3_softmax"):
        x = common.random_f32(rng, (4096, 1024))

        def softmax():
            e = np.exp(x - x.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        common.bench("b3_softmax", softmax, t)
        del x

    if common.wanted(args, "b9_slice_diff"):
        x = common.random_f32(rng, (4096, 4096))
        common.bench("b9_slice_diff", lambda: np.abs(x[:, 1:] - x[:, :4095]).sum(), t)
        del x

    if common.wanted(args, "b9_cat"):
        a, b = common.random_f32(rng, (4096, 2048)), common.random_f32(rng, (4096, 2048))
        common.bench("b9_cat", lambda: np.concatenate([a, b], axis=1) * np.float32(2), t)
        del a, b

    if common.wanted(args, "b8"):
        one = np.ones(1, dtype=np.float32)

        def loop(count):
            s = np.zeros(1, dtype=np.float32)
            for _ in range(count):
                s = s + one
        common.eager_per_op("b8", loop)


if __name__ == "__main__":
    main()
