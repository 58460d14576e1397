# PyTorch reference for samples/ch3_parity_2.swiftdsl.
import torch
x = torch.tensor([2.0], requires_grad=True)
y = x ** 2 + 3 * x + 1
y.backward(retain_graph=True)
print(x.grad)
y.backward(retain_graph=True)
print(x.grad)
x.grad.zero_()
y.backward()
print(x.grad)
z = x * 4
print(z.grad)
z.retain_grad()
zz = z.sum() * 2
zz.backward()
print(z.grad, x.grad)
print(z.retains_grad, x.retains_grad)
w = torch.tensor([1.0, 2.0], requires_grad=True)
w.requires_grad = False
print(w * 2)
w.requires_grad = True
out = (w * w).sum()
out.backward()
print(w.grad)
u = torch.tensor([1.0, 2.0]).requires_grad_()
print(u)
v = torch.tensor([3.0]).requires_grad_(True)
print(v.is_leaf)
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a.detach()
c = a * b
c.sum().backward()
print(a.grad)
print(b.grad)
p = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
q = p * 2
r = q.detach() * p
r.sum().backward()
print(p.grad)
g1, g2 = torch.autograd.grad((p * q).sum(), (p, q))
print(g1, g2)
print(p.grad)

cubeInput = torch.tensor([1.0, 2.0], requires_grad=True)
cube = (cubeInput ** 3).sum()
(cubeGrad,) = torch.autograd.grad(cube, cubeInput, retain_graph=True)
(cubeGradGraph,) = torch.autograd.grad(cube, cubeInput, retain_graph=True, create_graph=True)
print(cubeGrad, cubeGradGraph)
cube.backward()
print(cubeInput.grad)
