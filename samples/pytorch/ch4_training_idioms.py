# PyTorch twin of samples/ch4_training_idioms.swiftdsl.
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.fc2 = nn.Linear(3, 1)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        return self.fc2(h)

    def __call__(self, x):
        return self.forward(x) if self.training else self.forward(x) * 2


model = Net()
with torch.no_grad():
    model.fc1.weight.copy_(torch.tensor([[0.5, -0.25], [0.125, 0.75], [-0.5, 0.5]]))
    model.fc1.bias.copy_(torch.tensor([0.1, -0.1, 0.2]))
    model.fc2.weight.copy_(torch.tensor([[0.3, -0.6, 0.9]]))
    model.fc2.bias.copy_(torch.tensor([0.05]))
x = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.25, -0.75], [2.0, 1.0]])
y = torch.tensor([[1.0], [0.0], [-0.5], [2.0]])

lr = 0.1
total = 0.0
for epoch in range(4):
    loss = F.mse_loss(model(x), y)
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p.sub_(lr * p.grad)
    model.zero_grad()
    total += loss.item()
    if epoch % 2 == 0:
        print("epoch", epoch, "loss", loss.item(), "out", model.forward(x[:1]))
print("total", total)

params = list(model.parameters())
for step in range(3):
    F.mse_loss(model(x), y).backward()
    with torch.no_grad():
        for p in params:
            p.mul_(0.5).add_(p.grad, alpha=-0.05)
    for p in params:
        p.grad = None
print(params[0], model.fc1.weight)
model.eval()
print(model(x).squeeze(1), model.training)


def scale(s):
    return s * 2.0


half = 1.0
print(scale(3.0), half, torch.where(y > 0, 1.0, 0.0), torch.where(y > 0, 1, 0).squeeze())

w = torch.tensor([0.5, -1.5], dtype=torch.float64, requires_grad=True)
target = torch.tensor([1.0, 1.0], dtype=torch.float64)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
for step in range(3):
    opt.zero_grad()
    loss = F.mse_loss(w, target) + F.binary_cross_entropy_with_logits(w, target)
    loss.backward()
    if loss.item() > 100:
        opt.zero_grad()
    opt.step()
print(w, torch.nn.utils.clip_grad_norm_([w], max_norm=0.5), w.grad)


class Tagged(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
        self.head = nn.Linear(2, 1)


save_file(Tagged().state_dict(), "ch4_training_idioms_tagged.safetensors")
print(load_file("ch4_training_idioms_tagged.safetensors").keys())

v = torch.tensor([0.3, -0.2], requires_grad=True)
for round in range(2):
    inner = torch.optim.SGD([v], lr=0.1)
    inner.zero_grad()
    (v * v).sum().backward()
    inner.step()
    print(round, v)

net = Net()
with torch.no_grad():
    net.fc1.weight.copy_(torch.tensor([[0.5, -0.25], [0.125, 0.75], [-0.5, 0.5]]))
    net.fc1.bias.copy_(torch.tensor([0.1, -0.1, 0.2]))
    net.fc2.weight.copy_(torch.tensor([[0.3, -0.6, 0.9]]))
    net.fc2.bias.copy_(torch.tensor([0.05]))
sgd = torch.optim.SGD(net.parameters(), lr=0.05)
for frozen in [True, False]:
    for p in net.fc1.parameters():
        p.requires_grad = not frozen
    for step in range(2):
        sgd.zero_grad()
        F.mse_loss(net(x), y).backward()
        sgd.step()
    print(net.fc1.bias, net.fc2.bias)
