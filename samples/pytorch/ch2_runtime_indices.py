# PyTorch twin of samples/ch2_runtime_indices.swiftdsl.
import torch

x = torch.arange(12, dtype=torch.float32).reshape(4, 3)
w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
total = torch.tensor(0.0)
for i in range(4):
    row = x[i]
    print(i, row, x[3 - i][1], x[-1 - i])
    total = total + (row * w).sum()
total.backward()
print(total, w.grad)

v = torch.tensor([0.5, -1.0], requires_grad=True)
losses = torch.zeros(5)
history = torch.zeros(5, 2, dtype=torch.int64)
rows = torch.zeros(5, 3)
for epoch in range(5):
    loss = (v * float(epoch)).sum()
    losses[epoch] = loss.item()
    history[epoch] = torch.tensor([1, 2]) * epoch
    history[-1] += 1
    rows[epoch] = torch.tensor([float(epoch), loss.item(), 2.5])
    print(torch.tensor([epoch, epoch * 2]), torch.tensor([[loss.item()], [1]]))
print(losses)
print(history)
print(rows)

y = torch.zeros(4, 2)
for i in range(4):
    y[i] = v * 2.0
    y[3 - i] += 1.0
print(y)
y.sum().backward()
print(v.grad)

ds = torch.utils.data.TensorDataset(x, torch.arange(4) % 2)
x0, y0 = ds[0]
print(x0, y0, ds[-1])
for i in range(2):
    print(ds[i])
train, test = torch.utils.data.random_split(ds, [3, 1])
print(len(train), len(test), train[0][0].shape, test[-1][1].dtype)
n, c = x.shape
print(n, c)
