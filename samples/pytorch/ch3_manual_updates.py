# PyTorch twin of samples/ch3_manual_updates.swiftdsl.
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Linear(2, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[0.5, -0.25]]))
    model.bias.copy_(torch.tensor([0.1]))
x = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.25, -0.75]])
y = torch.tensor([[1.0], [0.0], [-0.5]])
lr = 0.1
for epoch in range(3):
    loss = F.mse_loss(model(x), y)
    loss.backward()
    with torch.no_grad():
        model.weight -= lr * model.weight.grad
        model.bias -= lr * model.bias.grad
    model.weight.grad = None
    model.bias.grad = None
    print(epoch, f"{loss.item():.4f}")
for epoch in range(3):
    F.mse_loss(model(x), y).backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    model.zero_grad()
print(model.weight, model.bias)

fc = nn.Linear(2, 1)
with torch.no_grad():
    fc.weight.copy_(torch.tensor([[1.0, 2.0]]))
    fc.bias.fill_(0.5)
for epoch in range(3):
    loss = (fc(torch.tensor([[1.0, 1.0]])) ** 2).sum()
    loss.backward()
    fc.bias.data -= 0.01 * fc.bias.grad
    fc.bias.grad = None
print(fc.bias, fc.weight.grad)

w = torch.tensor([1.0, 2.0], requires_grad=True)
for step in range(4):
    loss = (w * w).sum()
    w.grad = None
    loss.backward()
    if step % 2 == 0:
        with torch.no_grad():
            w -= 0.1 * w.grad
    print(step, w)
v = torch.tensor([1.0, 2.0], requires_grad=True)
for epoch in range(5):
    with torch.no_grad():
        v -= 0.1
    if epoch == 1:
        break
print(v)


def predict(input):
    with torch.no_grad():
        scores = model(input)
        return scores.sigmoid()


print(predict(x))

a = torch.tensor([1.0, 2.0])
a.requires_grad = True
c = torch.tensor([3.0])
c.requires_grad_()
(a * a).sum().backward()
(c * 2).sum().backward()
print(a.grad, c.grad, a)

leaf = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
zeroed = leaf * 1
zeroed.zero_()
filled = leaf * 1
filled.fill_(2.0)
buffer = torch.zeros(3)
buffer.copy_(leaf * 2)
print(zeroed, filled, buffer)
(zeroed.sum() + filled.sum() + buffer.sum()).backward()
print(leaf.grad)

chained = torch.tensor([1.0, 2.0], requires_grad=True)
if chained.grad is not None:
    chained.grad.zero_()
print(chained.grad)
(chained * chained).sum().backward()
if chained.grad is not None:
    chained.grad.zero_()
print(chained.grad)
