# PyTorch reference for samples/ch3_parity_4.swiftdsl.
import torch
import torch.nn as nn
import torch.nn.functional as F

x = torch.tensor([1.0, 2.0], requires_grad=True)
(x * x).sum().backward()
(x * x.grad).sum().backward()
print(x.grad)
v = torch.tensor([1.0, 2.0], requires_grad=True)
g = torch.autograd.grad((v * v).sum(), v)[0]
(v * g).sum().backward()
print(g, v.grad)
y = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
(y * y * 3).backward(torch.tensor([0.1, 0.2, 0.3]))
print(y.grad)
print(torch.autograd.functional.jacobian(lambda t: t.exp() * t.sum(), y))


class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)
        self.temperature = 2.0
        self.calls = 0

    def forward(self, x):
        return self.fc(x) / self.temperature


net = Scaled()
with torch.no_grad():
    net.fc.weight.copy_(torch.tensor([[1.0, 2.0]]))
    net.fc.bias.copy_(torch.tensor([0.5]))
inputs = torch.tensor([[1.0, 1.0]])
for step in range(3):
    net.temperature = net.temperature * 0.5
    net.calls += 1
    print(step, net(inputs), net.temperature, net.calls)

fc1 = nn.Linear(2, 2)
fc2 = nn.Linear(2, 1)
with torch.no_grad():
    fc1.weight.copy_(torch.tensor([[1.0, -1.0], [0.5, 0.5]]))
    fc1.bias.copy_(torch.tensor([0.0, 0.1]))
    fc2.weight.copy_(torch.tensor([[1.0, 2.0]]))
    fc2.bias.copy_(torch.tensor([-0.5]))
data = torch.tensor([[1.0, 2.0], [2.0, -1.0]])
target = torch.tensor([[1.0], [0.0]])
opt = torch.optim.SGD(list(fc1.parameters()) + list(fc2.parameters()), lr=0.05)
for epoch in range(4):
    if epoch == 2:
        fc1.weight.requires_grad = False
    opt.zero_grad()
    loss = F.mse_loss(fc2(torch.tanh(fc1(data))), target)
    loss.backward()
    opt.step()
    print(epoch, loss, fc1.weight.requires_grad)
print(fc1.weight, fc2.weight)

bn = nn.BatchNorm1d(1)
column = torch.tensor([[1.0], [3.0]])
for epoch in range(3):
    if epoch == 1:
        bn.eval()
    print(epoch, bn.training, bn(column))

logits = torch.tensor([[[1.0, 2.0], [0.5, -1.0], [0.0, 0.3]]], requires_grad=True)
print(F.cross_entropy(logits, torch.tensor([[0, 2]]), reduction="none"))
