# PyTorch reference for samples/ch2_parity_7.swiftdsl.
import torch

d = torch.tensor([0.5, 1.5, 2.25], dtype=torch.float64)
print(d.cumsum(dim=0), d.prod(), d.prod(dim=0))
print(torch.linspace(0, 1, steps=777, dtype=torch.float64).cumsum(dim=0)[-1].item())
u = torch.tensor([100, 200], dtype=torch.uint8)
i = torch.tensor([100000, 30000], dtype=torch.int32)
print(torch.dot(u, u) + 200, torch.dot(i, i), torch.matmul(i, i))
big = torch.tensor([16777217, 3])
print(big - 16777216.0, big == 16777216.0, big < 16777217.0)
print(torch.tensor([0.1]) - torch.tensor(0.1, dtype=torch.float64), torch.tensor([0.1]) == torch.tensor(0.1, dtype=torch.float64))
print(torch.tensor([1.5, 2.5]) + big)
x = torch.tensor([1.7, 2.9, 0.3])
print((x ** 3).tolist())
print((x ** -2).tolist())
print((x ** -0.5).tolist(), (x ** 0.5).tolist(), (x ** -1).tolist())
print((d ** 3).tolist(), (d ** -2).tolist())
m = torch.tensor([[1.0, -2.0], [-3.0, 4.0]])
m[m < 0] = 0.0
print(m)
rows = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
rows[torch.tensor([True, False])] = torch.tensor([9.0, 8.0, 7.0])
rows[rows > 4] += 100
print(rows)
labels = torch.tensor([1, -2, 3])
labels[labels > 1] = torch.tensor(7)
print(labels)
a = torch.tensor([1.0, -1.0, 2.0], requires_grad=True)
b = a * 2
b[b < 0] = 0.0
print(b)
b.sum().backward()
print(a.grad)

counts = torch.tensor([1, 2, 3, 4, 5])
running = 0
for k in range(5):
    running += counts[k]
print(running)
correct = 0
for k in range(2):
    correct += (counts[k * 2:k * 2 + 2] > 2).sum()
print(correct)
for epoch in range(3):
    rate = 0.1 if epoch < 2 else 0.01
    steps = 3 if epoch < 1 else 4
    print(epoch, rate, steps)
third = torch.tensor([0.1]).item() * 3
print(third if third > 0 else 2.0)

import warnings  # noqa: E402  (var of too few elements warns on stderr)
warnings.filterwarnings("ignore")
bytes_ = torch.tensor([0, 3, 0], dtype=torch.uint8)
print(bytes_.any(), bytes_.all(), bytes_.any(dim=0), torch.tensor([1, 2]).any())
print(torch.zeros(0).var(), torch.zeros(0).std(), torch.zeros(1).var(), torch.zeros(2, 0).var(dim=1))
empty = torch.zeros(3, 0)
print(empty.sum(dim=1), empty.mean(dim=0), (empty * 2 + 1).shape, empty.var(dim=1))
rows_none = torch.zeros(0, 4)
cols_none = torch.ones(4, 0)
print(torch.matmul(rows_none, torch.ones(4, 3)).shape, torch.matmul(torch.ones(2, 4), cols_none), torch.matmul(cols_none, rows_none))
print(torch.softmax(rows_none, dim=1).shape, torch.cat([rows_none, torch.ones(2, 4)], dim=0))
print(rows_none.sum(), rows_none.mean(), rows_none.prod(), rows_none.cumsum(dim=0).shape, rows_none.argmax(dim=1).shape)
print(torch.relu(rows_none).shape, (rows_none > 0).sum(), rows_none.T.shape, rows_none.reshape(4, 0).shape, rows_none.flatten().shape)
none = torch.zeros(0, 3, requires_grad=True)
(none * 2).sum().backward()
print(none.grad)
print(torch.nn.functional.cross_entropy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long)))
counted = 0.0
for i in range(3):
    if i == 2:
        break
    if i == 0:
        continue
    counted = counted + 1.0
pairs = torch.zeros(2)
for i in range(2):
    for j in range(3):
        if j == 2:
            break
        if j == 0:
            continue
        pairs[i] += 2.0
print(counted, pairs, torch.nn.functional.max_pool2d(torch.zeros(0, 1, 3, 3), 3).shape)
no_columns = torch.zeros(2, 0, 3)
print(torch.softmax(no_columns, dim=1).shape, torch.log_softmax(no_columns, dim=1).shape, no_columns.logsumexp(dim=1))
