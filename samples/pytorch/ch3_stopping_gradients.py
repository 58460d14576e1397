# PyTorch reference for samples/ch3_stopping_gradients.swiftdsl (seed chapter 3, 微分を停止するテクニック).
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

y = x * x
z = y.detach()
print("detach:", z, z.requires_grad, z.is_leaf)
loss = (y * z).sum()
loss.backward()
print("x.grad:", x.grad)

with torch.no_grad():
    u = x * 2
print("noGrad:", u, u.requires_grad, u.grad_fn)

print("enabled:", torch.is_grad_enabled())
torch.set_grad_enabled(False)
v = x + 1
print("setGradEnabled(false):", v, torch.is_grad_enabled())
with torch.enable_grad():
    t = x + 1
    print("enableGrad:", t, torch.is_grad_enabled())
torch.set_grad_enabled(True)
print("enabled again:", (x + 1).requires_grad)

with torch.no_grad():
    with torch.enable_grad():
        k = x * 3
    m = x * 3
print(k.requires_grad, m.requires_grad)

a = torch.tensor([0.5, -0.5], requires_grad=True)
b = torch.tensor([2.0, 4.0], requires_grad=True)
b.requires_grad = False
out = (a * b).sum()
out.backward()
print("a.grad:", a.grad, "b:", b, b.requires_grad)

p = torch.tensor([1.0, 2.0], requires_grad=True)
q = p * 3
r = q.detach() * p
r.sum().backward()
print("p.grad:", p.grad, r.grad_fn.name())
