# The PyTorch twin of samples/ch4_early_stopping.swiftdsl; its output is ch4_early_stopping.expected.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

x = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
y = torch.tensor([[2.0], [4.0], [6.0], [8.0]])
model = nn.Linear(1, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[0.5]]))
    model.bias.copy_(torch.tensor([0.0]))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
best = 1e9
epochs = 0
for epoch in range(500):
    opt.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    epochs += 1
    if loss.item() < best:
        best = loss.item()
    if loss.item() < 0.01:
        print("stop at", epoch, "%.4f" % loss.item())
        break
print(epochs, "%.4f" % best)
print(model.weight, model.bias)

loader = DataLoader(TensorDataset(torch.arange(0, 20).float().reshape([10, 2]), torch.arange(0, 10)), batch_size=4)
for xb, yb in loader:
    print(xb.shape, yb)
    break
for i, (xb, yb) in enumerate(loader):
    if i == 1:
        continue
    print(i, xb.sum(), yb)

t = torch.tensor([3.0, -1.0, 2.0, 5.0, -4.0])
acc = torch.tensor(0.0)
for k in range(5):
    if t[k].item() < 0:
        continue
    acc += t[k]
    if acc.item() > 4:
        print("over at", k)
        break
print(acc)
for a in range(3):
    for b in range(3):
        if b > a:
            break
        print(a, b)
total = 0
for i in range(10):
    if i % 2 == 0:
        continue
    elif i > 7:
        break
    total += i
j = 0
while True:
    j += 1
    if j == 4:
        break
print(total, j)
for i in range(0, 10, 3): print(i)
for i in range(10, 0, -3): print(i)
for i in range(0, 10, 3): print(i)
for i in range(5, 4, 2): print("never", i)
for i in reversed(range(0, 3)): print(i)
sw = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
strided = torch.tensor(0.0)
for i in range(1, 6, 2): strided += sw[i]
print(strided)
layerNames = []
for i in range(4, -1, -2): layerNames.append(f"layer{i}")
print(layerNames)
