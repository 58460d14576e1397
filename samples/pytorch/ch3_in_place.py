# The PyTorch twin of samples/ch3_in_place.swiftdsl; its output is ch3_in_place.expected.
import torch, torch.nn as nn
w = torch.tensor([1.0, 2.0], requires_grad=True)
loss = (w * w).sum()
loss.backward()
print(w.data)
w.data -= 0.1 * w.grad
print(w)
fc = nn.Linear(2, 1)
fc.weight.data = torch.tensor([[0.5, -0.5]])
fc.bias.data.fill_(0.25)
print(fc.weight, fc.bias)
print(fc(torch.tensor([[1.0, 2.0]])))
v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
for i in range(3):
    l = (v * v).sum()
    l.backward()
    v.data.sub_(0.1 * v.grad)
    v.grad.zero_()
print(v)
for i in range(2):
    fc.weight.data.mul_(0.5)
    fc.bias.data.add_(1)
print(fc.weight, fc.bias)
with torch.no_grad():
    fc.weight.fill_(2.0)
    fc.weight.clamp_(max=1.5)
    v.copy_(torch.tensor([9.0, 8.0, 7.0]))
print(fc.weight, v, v.is_leaf, v.requires_grad)
z = torch.tensor([1, 2, 3])
z.mul_(2)
z.add_(1)
print(z)
q = torch.tensor([1.0, -2.0]) * v[:2]
print(q.grad_fn.name())
