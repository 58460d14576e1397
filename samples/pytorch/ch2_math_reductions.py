# PyTorch reference for samples/ch2_math_reductions.swiftdsl.
import torch

x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 0.5, 6.0]], requires_grad=True)
print("prod:", x.prod(), "prod dim 1:", x.prod(dim=1))
print("prod keepDim:", x.prod(dim=1, keepdim=True), "prod(x):", torch.prod(x))
print("prod int:", torch.tensor([[1, 2], [3, 4]]).prod(), "prod bool:", torch.tensor([True, False]).prod(dim=0))
x.prod().backward()
print("prod grad:", x.grad)
z = torch.tensor([[1.0, 0.0, 3.0], [0.0, 0.0, 2.0], [2.0, 3.0, 4.0]], requires_grad=True)
rows = z.prod(dim=1)
print("prod rows:", rows)
(rows * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
print("prod rows grad:", z.grad)
w = torch.tensor([[1.0, 0.0, 3.0], [5.0, 0.5, 2.0]], requires_grad=True)
w.prod().backward()
print("prod one zero grad:", w.grad)

v = torch.tensor([[3.0, -4.0, 1.0], [0.0, 0.0, 0.0]], requires_grad=True)
print("norm:", v.norm(), "p 1:", v.norm(p=1), "p inf:", v.norm(p=float("inf")))
print("norm dim 1:", v.norm(p=2, dim=1, keepdim=True), "dims [0, 1]:", torch.norm(v, dim=[0, 1]))
print("p 3 dim 0:", torch.norm(v, p=3, dim=0), "p -inf dim 1:", v.norm(p=-float("inf"), dim=1))
(v.norm(dim=1) * torch.tensor([1.0, 2.0])).sum().backward()
print("norm grad (0 at the zero row):", v.grad)
u = torch.tensor([[3.0, -4.0], [1.0, -4.0]], requires_grad=True)
(u.norm(p=1) + u.norm(p=float("inf"))).backward()
print("norm p 1 + p inf grad:", u.grad)

c = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
running = c.cumsum(dim=1)
print("cumsum dim 1:", running, "cumsum(c, dim: 0):", torch.cumsum(c, dim=0))
print("cumsum int:", torch.tensor([[1, 2], [3, 4]]).cumsum(dim=-1), "cumsum bool:", torch.tensor([True, False, True]).cumsum(dim=0))
(running * torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
print("cumsum grad:", c.grad)
print("long cumsum:", torch.full([1000000], 0.1).cumsum(dim=0)[999999].item())

a = torch.tensor([1.0, 2.0, 3.0])
b = a + 1e-6
print("allclose:", torch.allclose(a, b), "strict:", a.allclose(b, rtol=0, atol=0), "atol 1e-3:", torch.allclose(a, b + 1e-4, atol=1e-3))
print("equal:", torch.equal(a, b), "equal self:", a.equal(a), "other shape:", a.equal(torch.tensor([1.0, 2.0])))
print("allclose broadcast:", torch.allclose(a, torch.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])), "int:", torch.allclose(torch.tensor([1, 2]), torch.tensor([1, 3])))
nan = torch.tensor([0.0, 1.0]) / 0
print("NaN:", torch.allclose(nan, nan), "equalNan:", torch.allclose(nan, nan, equal_nan=True), "equal:", torch.equal(nan, nan))
if torch.allclose(a, b) and not torch.equal(a, b):
    print("close but not equal")
same = a.equal(b) or a.allclose(b * 2)
if same:
    print("same")
else:
    print("neither equal nor close:", same)
