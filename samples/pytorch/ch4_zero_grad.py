# PyTorch twin of samples/ch4_zero_grad.swiftdsl.
import torch

u = torch.tensor([1.0])
print(u.grad)
w = torch.tensor([1.0, 2.0], requires_grad=True)
print(w.grad)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
(w * w).sum().backward()
print(w.grad)
opt.zero_grad()
print(w.grad)
opt.step()
print(w)
for i in range(2):
    opt.zero_grad()
    (w * w).sum().backward()
    opt.step()
    print(w.grad)
(w * 3).sum().backward()
print(w.grad)
w.grad = None
print(w.grad)
opt.step()
print(w)
for i in range(2):
    (w * w).sum().backward()
    print(w.grad * 2)
    opt.zero_grad()
    print(w.grad)
    opt.step()
print(w)
print(torch.nn.Linear(2, 3, bias=False).bias, torch.nn.Conv2d(1, 2, 3, bias=False).bias, torch.nn.LayerNorm([4], elementwise_affine=False).weight)

v = torch.tensor([1.0, 2.0], requires_grad=True)
print(v.grad is None, v.grad is not None)
if v.grad is not None:
    print("grad", v.grad)
else:
    print("no grad yet")
(v * v).sum().backward()
if v.grad is not None:
    print("grad", v.grad)
print(v.grad is None)
