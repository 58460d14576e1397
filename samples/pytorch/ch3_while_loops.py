# PyTorch reference for samples/ch3_while_loops.swiftdsl.
# Loops that end on a value known only at run time: `while` on a tensor's value, `while True`
# left by `break`, `continue` in a `while`, a `while` that never runs, and a `for` over a long
# range left early. Compiled, each is one loop that stops where Python's stops.
import torch
# gradient descent on (w - 3)^2 until the gradient is small
w = torch.tensor(0.0, requires_grad=True)
steps = 0
while True:
    loss = (w - 3) ** 2
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    steps += 1
    if w.grad.abs().item() < 0.01:
        break
    w.grad.zero_()
print(f"converged after {steps} steps: w = {w.item():.4f}")
# halving until below 1
x = torch.tensor([40.0, 8.0])
halvings = 0
while x.max().item() >= 1:
    x = x / 2
    halvings += 1
print(x, halvings)
# odd numbers only, until the total passes 20
total = torch.tensor(0)
n = 0
while total.item() <= 20:
    n += 1
    if n % 2 == 0:
        continue
    total += n
print(total, n)
# a loop whose condition is false at the start never runs
y = torch.ones(3)
while y.sum().item() > 10:
    y = y * 2
print(y)
# a long range left as soon as the running product passes 1000
p = torch.tensor(1.0)
for i in range(1, 1_000_000_000):
    p = p * i
    if p.item() > 1000:
        print("stopped at", i, "with", p)
        break
# a while inside a for: each row counts its own steps
for row in range(3):
    v = torch.tensor(float(row + 1))
    count = 0
    while v.item() < 10:
        v = v * 3
        count += 1
    print(row, count, v)
# a condition known when compiling at first, until the body makes it a run-time value
done = False
y = torch.tensor(1.0)
steps = 0
while not done:
    y = y * 1.5
    steps += 1
    done = y.item() > 10
print(steps, y)
# early stopping in a `while` over a counted number of epochs, left by `break`
epoch, best, bad = 0, 1e9, 0
loss = torch.tensor(5.0)
while epoch < 100:
    loss = loss * 0.7 + 0.3
    if loss.item() < best - 0.01:
        best, bad = loss.item(), 0
    else:
        bad += 1
        if bad >= 3:
            break
    epoch += 1
print("stopped at epoch", epoch, "best %.4f" % best)
