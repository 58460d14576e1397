"""PyTorch peer, eager mode (no torch.compile): B1 (matmul), B2 (elementwise chain), B3
(sum, row softmax written with the same ops as the tgc program), B9 (slice difference,
concatenation), B4 (one MLP training step:
forward, loss.backward(), SGD update under no_grad, grads reset), B5 (the seed's 100-epoch
linear regression as written in the tutorial, without its prints), B8 (per-op cost of
`s = s + one` on 1-element tensors). B4 also as PyTorch users write it (an nn.Module of
nn.Linear layers, F.cross_entropy, optim.SGD / optim.Adam: b4_module_sgd, b4_module_adam),
and all three B4 steps under torch.compile (reported as workload "KEY@compile": run.py's
"torch.compile" column). B6: one Adam step of the CNN of bench/b6_cnn_step.swiftdsl
(zero_grad, forward, F.cross_entropy, backward, step), eager and under torch.compile."""
import torch

import common


def main():
    args = common.parse_args(__doc__)
    if args.threads:
        torch.set_num_threads(args.threads)
    common.info(f"torch {torch.__version__}, threads={torch.get_num_threads()}, "
                f"MKL={torch.backends.mkl.is_available()}, CPU capability={torch.backends.cpu.get_cpu_capability()}")
    gen = torch.Generator().manual_seed(1234)
    t = args.target_s

    def randn(*shape):
        return torch.randn(*shape, generator=gen)

    with torch.no_grad():
        for n in common.MATMUL_SIZES:
            key = f"b1_{n}"
            if common.wanted(args, key):
                a, b = randn(n, n), randn(n, n)
                common.bench(key, lambda: torch.matmul(a, b), t)

        if common.wanted(args, "b2"):
            a, b, c = randn(common.N16M), randn(common.N16M), randn(common.N16M)
            common.bench("b2", lambda: torch.relu(a * b + c) * 0.5 - a, t)
            del a, b, c

        if common.wanted(args, "b3_sum"):
            x = randn(common.N16M)
            common.bench("b3_sum", lambda: x.sum(), t)
            del x

        if common.wanted(args, "b3_softmax"):
            x = randn(4096, 1024)

            def softmax():
                e = torch.exp(x - x.max(dim=1, keepdim=True).values)
                return e / e.sum(dim=1, keepdim=True)
            common.bench("b3_softmax", softmax, t)
            del x

        if common.wanted(args, "b9_slice_diff"):
            x = randn(4096, 4096)
            common.bench("b9_slice_diff", lambda: (x[:, 1:] - x[:, :4095]).abs().sum(), t)
            del x

        if common.wanted(args, "b9_cat"):
            a, b = randn(4096, 2048), randn(4096, 2048)
            common.bench("b9_cat", lambda: torch.cat([a, b], 1) * 2, t)
            del a, b

    if common.wanted(args, "b4"):
        params = [(randn(*s) * 0.05).requires_grad_() for s in common.mlp_shapes()]
        x = randn(128, 784)
        y = torch.nn.functional.one_hot(torch.randint(0, 10, (128,), generator=gen), 10).float()
        common.bench("b4", b4_hand_step(x, y, params), t)

    b4_module_steps(args, gen, t)
    b6_cnn_step(args, gen, t)

    if common.wanted(args, "b5"):
        def linreg():
            torch.manual_seed(42)
            X = torch.randn(100, 1)
            y_true = 3 * X + 2 + torch.randn(100, 1) * 0.5
            w = torch.randn(1, requires_grad=True)
            b = torch.randn(1, requires_grad=True)
            learning_rate = 0.01
            losses = []
            for epoch in range(100):
                y_pred = w * X + b
                loss = ((y_pred - y_true) ** 2).mean()
                loss.backward()
                with torch.no_grad():
                    w -= learning_rate * w.grad
                    b -= learning_rate * b.grad
                w.grad.zero_()
                b.grad.zero_()
                if (epoch + 1) % 10 == 0:
                    losses.append(loss.item())
            return w.item(), b.item(), losses
        common.bench("b5", linreg, t)

    if common.wanted(args, "b8"):
        one = torch.ones(1)

        def loop(count):
            s = torch.zeros(1)
            for _ in range(count):
                s = s + one
        common.eager_per_op("b8", loop)


def training_step(model, opt, x, target):
    """One training step as PyTorch users write it (zero_grad, forward, F.cross_entropy,
    backward, step), as a closure returning the loss."""
    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), target)
        loss.backward()
        opt.step()
        return loss
    return step


def b4_hand_step(x, y, params):
    """The B4 step as bench/b4_mlp_step.swiftdsl writes it (forward, log-softmax from max, exp,
    sum and log, loss.backward(), SGD under no_grad, grads reset) on params w1, b1, ..., b3,
    as a closure returning the loss."""
    def step():
        w1, b1, w2, b2, w3, b3 = params
        h1 = torch.relu(x @ w1 + b1)
        h2 = torch.relu(h1 @ w2 + b2)
        z = h2 @ w3 + b3
        shifted = z - z.max(dim=1, keepdim=True).values
        logp = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
        loss = -(y * logp).sum() / 128
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None
        return loss
    return step


def b4_module_steps(args, gen, t):
    """B4 eager and under torch.compile: the hand-written step, and the module step with
    optim.SGD and optim.Adam (zero_grad, forward, cross_entropy with one-hot probabilities,
    backward, step), each with its own parameters."""
    x = torch.randn(128, 784, generator=gen)
    y = torch.nn.functional.one_hot(torch.randint(0, 10, (128,), generator=gen), 10).float()

    def module_step(optimizer):
        model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                    torch.nn.ReLU(), torch.nn.Linear(128, 10))
        return training_step(model, optimizer(model.parameters()), x, y)

    def hand_step():
        return b4_hand_step(x, y, [(torch.randn(*s, generator=gen) * 0.05).requires_grad_() for s in common.mlp_shapes()])

    steps = {"b4": hand_step, "b4_module_sgd": lambda: module_step(lambda p: torch.optim.SGD(p, lr=0.01)),
             "b4_module_adam": lambda: module_step(lambda p: torch.optim.Adam(p, lr=0.001))}
    for key, make in steps.items():
        if key != "b4" and common.wanted(args, key):
            common.bench(key, make(), t)
        if common.wanted(args, key):
            try:
                common.bench(key + "@compile", torch.compile(make()), t)
            except Exception as e:  # noqa: BLE001 - a missing C++ toolchain must not stop the rest
                common.info(f"torch.compile of {key} failed: {str(e).strip().splitlines()[-1][:200]}")



def b6_step(x, labels, device="cpu"):
    """A fresh B6 model with its Adam optimizer on `device` (where x and labels are); returns
    its training step on (x, labels)."""
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10)).to(device)
    return training_step(model, torch.optim.Adam(model.parameters(), lr=0.001), x, labels)


def b6_cnn_step(args, gen, t):
    """B6 eager and under torch.compile: Conv2d(1,32,3,padding=1)-BatchNorm2d-ReLU-MaxPool2d(2)-
    Conv2d(32,64,3,padding=1)-BatchNorm2d-ReLU-MaxPool2d(2)-Flatten-Linear(3136,128)-ReLU-
    Linear(128,10) with optim.Adam, batch 64 of 1×28×28, each run with its own model. The eager
    step is reported as b6 and as b6_eager (what tgc's `run --eager` step is compared with)."""
    keys = [k for k in ("b6", "b6_eager") if common.wanted(args, k)]  # b6_eager: the reference of tgc's eager step
    if not keys:
        return
    x = torch.randn(64, 1, 28, 28, generator=gen)
    labels = torch.arange(64) % 10

    def make():
        return b6_step(x, labels)

    common.bench(keys, make(), t)
    if "b6" not in keys:
        return
    try:
        common.bench("b6@compile", torch.compile(make()), t)
    except Exception as e:  # noqa: BLE001 - a missing C++ toolchain must not stop the rest
        common.info(f"torch.compile of b6 failed: {str(e).strip().splitlines()[-1][:200]}")


if __name__ == "__main__":
    main()
