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
