# PyTorch reference for samples/ch2_parity_4.swiftdsl.
import torch
x = torch.tensor([[0.5, -1.0, 3.0], [2.0, 0.25, 7.0]], requires_grad=True)
print(x.flip(0), x.flip(0, 1), x.flip([1]), x.flip(dims=[0]), torch.flip(x, dims=[1]), torch.flip(x, [0, 1]))
a, b = torch.split(x, 2, dim=1)
print(a, b)
print(torch.chunk(x, 2), torch.chunk(x, 3, dim=1))
print(torch.unbind(x, dim=1), torch.unbind(x))
print(torch.numel(x))

r = torch.arange(6).reshape(2, 3).float()
print(r.roll(1, 0), r.roll(-1, 1), r.roll([1, 2], [0, 1]), r.roll(2), r.roll(1, dims=1), r.roll([1, 1], dims=[0, 1]))
idx = torch.tensor([[0], [2]])
print(r.scatter(1, idx, 5.0), r.scatter(1, idx, -1), r.scatter(dim=1, index=idx, value=2.0), r.scatter(1, idx, r * 10))

grid = torch.arange(12).reshape(3, 4).float()
print(grid[[0, 2]], grid[[-1]], grid[0][[1, 3]], grid[[2, 2, 0]].sum(dim=0))
weights = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
picked = weights[[2, 0, 2]]
print(picked)
picked.sum().backward()
print(weights.grad)

base = torch.arange(6).reshape(2, 3).float()
print(base[None].shape, base[..., None].shape, base[0, None], base[None, 0], base[None, ..., None].shape, base[1:, None, 1:])
print(base[..., None] * base[0], (base[0][..., None] - base[1][None, ...]).shape)
vec = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
outerP = vec[..., None] * vec[None, ...]
print(outerP)
print(vec[None].grad_fn.name(), vec[None, 0].grad_fn.name(), vec[0, None].grad_fn.name(), vec[None, 1:].grad_fn.name())
outerP.sum().backward()
print(vec.grad)
canvas = torch.zeros(2, 3)
canvas[None] = torch.ones(1, 2, 3)
canvas[..., None, 1] += 5
print(canvas)

tens = torch.arange(10) * 10
for i in range(0, 10, 3):
    print(i, tens[i])
for i in range(9, -1, -4):
    print(i)
evens = torch.zeros(10)
for i in range(1, 10, 2):
    evens[i] = float(i)
print(evens)
for i in range(5, 5, 1): print("never", i)
downSum = 0
for i in range(10, 0, -3): downSum += i
print(downSum)

table = torch.arange(6).reshape(3, 2).float()
for row in table:
    print(row, row.sum())
items = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
squares = torch.tensor(0.0)
for v in items:
    squares = squares + v * v
print(squares)
squares.backward()
print(items.grad)
unused = 0
for v in torch.tensor([3, -1, 4]):
    if v > 0: print("positive", v)

pairsOf = torch.arange(6).reshape(3, 2).float()
for i, row in enumerate(pairsOf):
    print(i, row, row * float(i))
scaled = torch.zeros(2)
for i, v in enumerate(torch.tensor([1.0, 2.0])):
    scaled[i] = v * 10
print(scaled)
for i, t in enumerate([pairsOf[0], pairsOf[1]]): print(i, t)
for i, p in enumerate(pairsOf.chunk(3)): print(i, p)
for row in pairsOf[1:]: print(row.sum())

tensTwice = torch.arange(4) * 10
for i in reversed(range(0, 4)):
    print(i, tensTwice[i])
for i in reversed(range(1, 4)): print(i)
for i in reversed(range(2, 2)): print("never", i)
