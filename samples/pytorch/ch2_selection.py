# PyTorch reference for samples/ch2_selection.swiftdsl (randperm's numbers differ from PyTorch's
# generator, so the twin prints the tgc permutation's sorted values and dtype only).
import torch

x = torch.tensor([[3.0, 1.0, 2.0, 1.0], [0.5, -1.0, 4.0, 2.5], [7.0, 7.0, -2.0, 0.0]], requires_grad=True)
idx = torch.tensor([[0, 0, 3], [1, 2, 2], [3, 3, 0]])
g = x.gather(dim=1, index=idx)
print("gather:", g)
print("gather fn:", torch.gather(x, dim=0, index=torch.tensor([[2, 0, 1, 0]])))

src = torch.tensor([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0], [70.0, 80.0, 90.0]], requires_grad=True)
sc = x.scatter(dim=1, index=torch.tensor([[0, 1, 1], [2, 2, 3], [1, 0, 0]]), src=src)
print("scatter:", sc)
print("scatter value:", x.scatter(dim=0, index=torch.tensor([[2, 0, 1, 2]]), value=2.0))
sa = x.scatter_add(dim=1, index=idx, src=src)
print("scatterAdd:", sa)
print("scatterAdd ints:", torch.zeros([5], dtype=torch.int64).scatter_add(dim=0, index=torch.tensor([1, 1, 4, 1]), src=torch.tensor([1, 2, 3, 4])))

cols = x.index_select(dim=1, index=torch.tensor([3, 0, 3]))
print("indexSelect dim 1:", cols)
print("indexSelect fn:", torch.index_select(x, dim=0, index=torch.tensor([2, 2])))
print("indexSelect 0-dim:", x.index_select(dim=-1, index=torch.tensor(1)))
print("x[idx]:", x[torch.tensor([1, 0])])

m = x.masked_fill(x > 2.0, 0.0)
print("maskedFill:", m)
fill = torch.tensor(-5.0, requires_grad=True)
mt = x.masked_fill(torch.tensor([True, False, False, True]), fill)
print("maskedFill tensor:", mt)
print("maskedFill broadcast:", torch.tensor([1, 2, 3]).masked_fill(torch.tensor([[True, False, True], [False, False, True]]), 9))

v = torch.tensor([[2.0, 1.0, 2.0, float("nan"), -3.0], [1.0, 1.0, 1.0, 1.0, 0.0]])
sv, si = v.sort(dim=1, descending=True)
print("sort desc:", sv, si)
print("sort:", v.sort())
print("sort stable dim 0:", v.sort(dim=0, stable=True).indices)
print("argsort:", v.argsort(dim=1, descending=False), v.argsort())
# topk of ties may differ from tgc (docs/LANGUAGE.md): these rows have none.
y = x + torch.tensor([0.0, 0.01, 0.02, 0.03])
print("topk:", y.topk(3, dim=1))
smallest = y.topk(2, largest=False, sorted=True)
print("topk smallest:", smallest.values, smallest.indices)
print("topk ints:", torch.tensor([5, 1, 4, 9]).topk(2))

s = x.sort(dim=0)
t = y.topk(2, dim=1)
print("sort dim 0:", s.values, "topk dim 1:", t.indices)

loss = (g * g).sum() + (sc * 3.0).sum() + (sa * sa).sum() * 0.01 + (cols * torch.tensor([1.0, 2.0, 3.0])).sum() \
    + (m * 2.0).sum() + (mt * mt).sum() + (s.values * torch.tensor([[1.0], [2.0], [3.0]])).sum() + (t.values * t.values).sum()
loss.backward()
print("x.grad:", x.grad)
print("src.grad:", src.grad)
print("fill.grad:", fill.grad)

torch.manual_seed(0)
p = torch.randperm(6)
print("randperm:", p.shape, p.dtype, p.sort().values)
print("randperm float:", torch.randperm(4, dtype=torch.float32).sum())
