# PyTorch reference for samples/ch2_parity_2.swiftdsl.
import torch
x = torch.arange(24).reshape(2, 3, 4).float()
m = torch.zeros(3, 3)
for i in range(3):
    for j in range(3):
        m[i, j] = float(i * 3 + j)
print(m)
acc = torch.zeros(2, 3, dtype=torch.int64)
for i in range(4):
    acc[i % 2] += i
    acc[..., i % 3] *= 2
    acc[-1, i % 3] -= 1
print(acc)
for i in range(2):
    print(x[i, 1], x[..., i], x[1, i, 2:], x[-1, ..., i].sum())
    print(x[i, -1, i + 1])
w = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
total = torch.tensor(0.0)
for i in range(3):
    v = w[1, i] * w[..., i].sum()
    total = total + v
    print(v)
total.backward()
print(w.grad)
h = w * 1.0
for i in range(2):
    h[i, i + 1] = h[i, i] * 10
    h[..., 0] += 1
print(h)
h.sum().backward()
print(w.grad)
d = torch.zeros(2, 3, 4)
for k in range(4):
    d[1, ..., k] = torch.tensor([1.0, 2.0, 3.0]) * float(k)
    d[0, k % 3, 1:] += 1
print(d)

xs = torch.arange(24).reshape(2, 3, 4)
ys = torch.zeros(2, 3, 4, dtype=torch.int64)
for i in range(2):
    print(xs[i, ..., i + 1], xs[-1 - i, 1, -2])
    ys[i, ..., 2 * i] = xs[1 - i, ..., 3]
    ys[-1 - i, 0:2, i + 1] += 7
    for j in range(3):
        ys[i, j, j] = xs[i, j].sum()
        print(xs[i, j, 1:4].tolist())
print(ys)

board = torch.zeros(2, 3)
board[0][1] = 5
board[1][...] += 1
board[..., 0][1] = 7
board[1][1:][0] *= 3
print(board)
src = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
rows = torch.stack([src, src * 2])
rows[1][0] = src[2] * 10
print(rows)
rows.sum().backward()
print(src.grad)
cube = torch.arange(12).reshape(2, 2, 3)
for i in range(2):
    cube[i][1][i] = -1
print(cube)

weights = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
for step in range(3):
    loss = (weights * weights).sum()
    loss.backward()
    with torch.no_grad():
        for i in range(2):
            weights[i, step % 2] -= 0.1 * weights.grad[i, step % 2]
        weights[0][1] += 0.5
    weights.grad.zero_()
print(weights, weights.is_leaf)
print(weights.grad)
