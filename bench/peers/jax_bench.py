"""JAX peer, every workload under jax.jit, timed with block_until_ready: B1 (matmul), B2
(elementwise chain, fused by XLA), B3 (sum, row softmax), B9 (slice difference,
concatenation), B4 (one MLP training step with
value_and_grad and the SGD update), B5 (the 100-epoch linear regression, data generation
and the whole loop inside one jitted function, the loop as lax.fori_loop)."""
import os

import common


def main():
    args = common.parse_args(__doc__)
    if args.threads and args.threads < (os.cpu_count() or 1):
        # XLA's CPU runtime sizes its thread pool by the cores it may use, and ignores the old
        # --xla_cpu_multi_thread_eigen flag: restrict the process to `threads` cores instead.
        os.sched_setaffinity(0, range(args.threads))
    import jax
    import jax.numpy as jnp
    import numpy as np
    from jax import lax

    common.info(f"jax {jax.__version__}, devices {jax.devices()}")
    rng = np.random.default_rng(1234)
    t = args.target_s

    def run(key, f, *xs):
        xs = [jax.device_put(x) for x in xs]
        common.bench(key, lambda: jax.block_until_ready(f(*xs)), t)

    for n in common.MATMUL_SIZES:
        key = f"b1_{n}"
        if common.wanted(args, key):
            run(key, jax.jit(jnp.matmul), common.random_f32(rng, (n, n)), common.random_f32(rng, (n, n)))

    if common.wanted(args, "b2"):
        f = jax.jit(lambda a, b, c: jax.nn.relu(a * b + c) * 0.5 - a)
        run("b2", f, *(common.random_f32(rng, common.N16M) for _ in range(3)))

    if common.wanted(args, "b3_sum"):
        run("b3_sum", jax.jit(jnp.sum), common.random_f32(rng, common.N16M))

    if common.wanted(args, "b3_softmax"):
        def softmax(x):
            e = jnp.exp(x - x.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        run("b3_softmax", jax.jit(softmax), common.random_f32(rng, (4096, 1024)))

    if common.wanted(args, "b9_slice_diff"):
        run("b9_slice_diff", jax.jit(lambda x: jnp.abs(x[:, 1:] - x[:, :4095]).sum()), common.random_f32(rng, (4096, 4096)))

    if common.wanted(args, "b9_cat"):
        run("b9_cat", jax.jit(lambda a, b: jnp.concatenate([a, b], axis=1) * 2),
            common.random_f32(rng, (4096, 2048)), common.random_f32(rng, (4096, 2048)))

    if common.wanted(args, "b4"):
        def loss_fn(params, x, y):
            w1, b1, w2, b2, w3, b3 = params
            h1 = jax.nn.relu(x @ w1 + b1)
            h2 = jax.nn.relu(h1 @ w2 + b2)
            z = h2 @ w3 + b3
            shifted = z - z.max(axis=1, keepdims=True)
            logp = shifted - jnp.log(jnp.exp(shifted).sum(axis=1, keepdims=True))
            return -(y * logp).sum() / 128

        @jax.jit
        def step(params, x, y):
            loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
            return loss, [p - 0.01 * g for p, g in zip(params, grads)]

        params = [jax.device_put(common.random_f32(rng, s) * 0.05) for s in common.mlp_shapes()]
        x = jax.device_put(common.random_f32(rng, (128, 784)))
        y = jax.device_put(np.eye(10, dtype=np.float32)[rng.integers(0, 10, 128)])
        common.bench("b4", lambda: jax.block_until_ready(step(params, x, y)), t)

    if common.wanted(args, "b5"):
        @jax.jit
        def linreg(key):
            k1, k2, k3, k4 = jax.random.split(key, 4)
            X = jax.random.normal(k1, (100, 1))
            y_true = 3 * X + 2 + jax.random.normal(k2, (100, 1)) * 0.5
            w = jax.random.normal(k3, (1,))
            b = jax.random.normal(k4, (1,))

            def mse(w, b):
                return ((w * X + b - y_true) ** 2).mean()

            def body(epoch, state):
                w, b, losses = state
                loss, (gw, gb) = jax.value_and_grad(mse, argnums=(0, 1))(w, b)
                slot = epoch // 10
                losses = losses.at[slot].set(jnp.where((epoch + 1) % 10 == 0, loss, losses[slot]))
                return w - 0.01 * gw, b - 0.01 * gb, losses

            return lax.fori_loop(0, 100, body, (w, b, jnp.zeros(10)))

        key = jax.random.PRNGKey(42)
        common.bench("b5", lambda: jax.block_until_ready(linreg(key)), t)


if __name__ == "__main__":
    main()
