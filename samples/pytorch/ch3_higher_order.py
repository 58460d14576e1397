# PyTorch reference for samples/ch3_higher_order.swiftdsl (seed chapter 3: higher-order
# derivatives, jacobians and hessians). tgc's jacobian(of:wrt:) takes the value, PyTorch's
# torch.autograd.functional.jacobian takes a function of x.
import torch
from torch.autograd.functional import jacobian, hessian

x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)

y = (x ** 3).sum()
g, = torch.autograd.grad(y, x, create_graph=True)
print("dy/dx:", g)
g2, = torch.autograd.grad(g.sum(), x, retain_graph=True)
print("d2y/dx2:", g2)
g2c, = torch.autograd.grad(g.sum(), x, create_graph=True)
print("d2y/dx2:", g2c, "d3y/dx3:", torch.autograd.grad(g2c.sum(), x)[0])

s = (torch.sin(x) * torch.exp(x)).sum()
ds, = torch.autograd.grad(s, x, create_graph=True)
print("ds/dx:", ds)
print("d2s/dx2:", torch.autograd.grad(ds.sum(), x)[0])

t = torch.tanh(x).sum()
dt, = torch.autograd.grad(t, x, create_graph=True)
print("tanh':", dt, "tanh'':", torch.autograd.grad(dt.sum(), x)[0])

w = torch.tensor([1.5, -2.0], requires_grad=True)
loss = (w[0] ** 2 * w[1] + w[1] ** 3).sum()
loss.backward(create_graph=True)
print("w.grad:", w.grad)
grad_norm = (w.grad ** 2).sum()
print("d|grad|^2/dw:", torch.autograd.grad(grad_norm, w, retain_graph=True)[0])
grad_norm.backward()
print("w.grad (accumulated):", w.grad)

print("jacobian:", jacobian(lambda v: v * v, x))
A = torch.tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
print("jacobian Ax:", jacobian(lambda v: A @ torch.tanh(v), x))
print("hessian:", hessian(lambda v: (v ** 3).sum() + v[0] * v[1], x))
