# PyTorch reference for samples/ch3_parity_5.swiftdsl.
import warnings
import torch
warnings.filterwarnings("ignore")
x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
y.backward(create_graph=True)
print(x.grad)
gx = x.grad
x.grad = None
gx.backward()
print(x.grad)
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0, 4.0], requires_grad=True)
z = (a * b).sum()
ga, = torch.autograd.grad(z, a, create_graph=True)
print(ga)
ga.sum().backward()
print(a.grad)
print(b.grad)
u = torch.tensor([0.5, -1.0], requires_grad=True)
v = u
for i in range(4):
    if i < 2: v = v * 2
print(v.detach())
s = torch.tensor([0.5, -1.0, 0.25], requires_grad=True)
t = s
for i in range(20):
    if i >= 3: break
    t = t * 2
print(t)
t.sum().backward()
print(s.grad)
