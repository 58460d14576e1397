# PyTorch reference for samples/ch4_parity_3.swiftdsl.
# Optimizer steps round as PyTorch's: its CPU kernels fuse `add_(x, alpha:)`, `lerp_` and
# `addcmul_` into fused multiply-adds, and so do tgc's SGD, Adam and RMSprop updates. With the
# sums and small products in PyTorch's order too, these losses match PyTorch's to the last digit.
import torch
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.out = nn.Linear(4, 1)
    def forward(self, x): return self.out(torch.relu(self.fc(x)))
X = torch.linspace(-1, 1, steps=24).reshape([8, 3])
y = X.matmul(torch.tensor([[1.5], [-0.7], [0.3]])) + 0.25
def fresh():
    model = Net()
    with torch.no_grad():
        model.fc.weight.copy_(torch.tensor([[0.2, -0.35, 0.5], [0.4, 0.1, -0.3], [-0.6, 0.25, 0.15], [0.33, 0.44, -0.12]]))
        model.fc.bias.copy_(torch.tensor([0.1, -0.2, 0.05, 0.3]))
        model.out.weight.copy_(torch.tensor([[0.7, -0.4, 0.25, 0.9]]))
        model.out.bias.copy_(torch.tensor([-0.05]))
    return model
criterion = nn.MSELoss()
a = fresh()
sgd = torch.optim.SGD(a.parameters(), lr=0.05, momentum=0.9, weight_decay=0.01)
for epoch in range(5):
    sgd.zero_grad()
    loss = criterion(a(X), y)
    loss.backward()
    sgd.step()
    print("sgd", epoch, loss.item())
print(a.out.weight)
b = fresh()
adam = torch.optim.Adam(b.parameters(), lr=0.01)
for epoch in range(5):
    adam.zero_grad()
    loss = criterion(b(X), y)
    loss.backward()
    adam.step()
    print("adam", epoch, loss.item())
print(b.out.weight)
