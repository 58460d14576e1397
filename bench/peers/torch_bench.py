"""PyTorch peer, eager mode: B1 (matmul), B2 (elementwise chain), B3 (sum, row softmax written
with the same ops as the tgc program), B9 (slice difference, concatenation), B4 (one MLP
training step: forward, loss.backward(), SGD update under no_grad, grads reset), B6 (one Adam
step of the CNN of bench/b6_cnn_step.swiftdsl), B5 (the seed's 100-epoch linear regression as
written in the tutorial, without its prints), B8 (per-op cost of `s = s + one` on 1-element
tensors). B4 and B6 also run with torch.compile (forward and loss compiled, so backward runs
AOTAutograd's compiled graph; the update stays eager), reported as "b4@compile" and
"b6@compile" (bench/run.py's "torch.compile" column)."""
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

        def mlp_loss(x, y, w1, b1, w2, b2, w3, b3):
            h1 = torch.relu(x @ w1 + b1)
            h2 = torch.relu(h1 @ w2 + b2)
            z = h2 @ w3 + b3
            shifted = z - z.max(dim=1, keepdim=True).values
            logp = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
            return -(y * logp).sum() / 128

        def step(forward=mlp_loss):
            loss = forward(x, y, *params)
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= 0.01 * p.grad
                    p.grad = None
            return loss
        common.bench("b4", step, t)
        forward = torch.compile(mlp_loss)
        common.bench("b4@compile", lambda: step(forward), t)

    if common.wanted(args, "b6"):
        nn = torch.nn
        torch.manual_seed(1234)
        model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
        opt = torch.optim.Adam(model.parameters(), lr=0.001)
        x = randn(64, 1, 28, 28)
        labels = torch.arange(64) % 10

        def cnn_loss(x, labels):
            return torch.nn.functional.cross_entropy(model(x), labels)

        def cnn_step(forward=cnn_loss):
            opt.zero_grad()
            loss = forward(x, labels)
            loss.backward()
            opt.step()
            return loss
        common.bench("b6", cnn_step, t)
        forward = torch.compile(cnn_loss)
        common.bench("b6@compile", lambda: cnn_step(forward), t)

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


if __name__ == "__main__":
    main()
