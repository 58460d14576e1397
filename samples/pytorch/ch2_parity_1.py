# PyTorch reference for samples/ch2_parity_1.swiftdsl.
import math
import torch

x = torch.tensor([[1.5, 2.5, 3.5], [4.0, 5.0, 6.0]])
print(x.shape == (2, 3), x.shape == x.T.shape, x.shape != torch.zeros(3).shape, x.shape == (2, 3, 1))
print(x[0].shape == (3,), x.size() == (2, 3))
print(x.dtype == torch.float32, x.dtype != torch.int64, x.dtype == torch.tensor([1]).dtype)
print(x.device == torch.device("cpu"))
if x.shape == (2, 3):
    print("shape ok")

w = torch.tensor([1.0, -2.0], requires_grad=True)
print(w.grad is None)
(w * w).sum().backward()
print(w.grad is None, w.grad is not None)

pair = (1, 2.5)
print(pair[0], pair[1])
nested = ((1, 2), 3)
print(nested[0][1], nested[1])
pieces = torch.arange(6).chunk(3)
print(pieces[0], pieces[2])
best = x.max(dim=1)
print(best[0], best[1], best[1])

special = torch.tensor([1.0, float("nan"), float("nan"), float("inf"), -float("inf"), math.pi, math.pi])
print(special)
print(torch.isnan(special), torch.isinf(special))
print(math.pi, -math.inf)
print(torch.where(torch.isnan(special), 0.0, special))

with torch.no_grad():
    frozen = w * 3
print(frozen, frozen.requires_grad)
with torch.no_grad():
    with torch.enable_grad():
        tracked = w * 3
print(tracked)

peak = torch.tensor([3.5, -1.25]).max().item()
print(abs(-3), abs(-2.5), round(2.5), round(3.7), round(-0.5), abs(-peak), round(peak))
print(abs(torch.tensor([-3, 4])), torch.round(torch.tensor([2.5, 3.5])))
