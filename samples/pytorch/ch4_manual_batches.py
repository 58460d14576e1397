# PyTorch twin of samples/ch4_manual_batches.swiftdsl.
import torch

x = torch.arange(0, 20).float()
for i in range(2):
    print(x[i * 10:i * 10 + 10].sum())

X = torch.arange(0, 10).float().reshape(10, 1)
Y = 2 * X + 1
w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
batch_size = 4
for epoch in range(3):
    total = 0.0
    for start in range(0, 10, batch_size):
        end = start + batch_size
        xb = X[start:end]
        yb = Y[start:end]
        loss = ((xb * w + b - yb) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
            b -= 0.01 * b.grad
        w.grad = None
        b.grad = None
        total += loss.item()
    print(epoch, f"{total:.4f}")
print(w, b)

r = torch.arange(0, 10)
print(r[8:12], r[-100:3], r[5:2], r[3:101], r[-3:])
m = torch.arange(0, 12).reshape(3, 4)
print(m[1:10, 2:9], m[:-5])
