# The PyTorch twin of samples/ch4_python_lists.swiftdsl; its output is ch4_python_lists.expected.
import torch, torch.nn as nn, torch.nn.functional as F
class Net(nn.Module):
    def __init__(self, depth):
        super().__init__()
        self.layers = nn.ModuleList()
        for i in range(depth):
            self.layers.append(nn.Linear(4, 4))
        self.out = nn.Linear(4, 2)
    def forward(self, x):
        h = x
        for layer in self.layers: h = F.relu(layer(h))
        return self.out(h)
net = Net(3)
print(net)
print(net(torch.ones([2, 4])).shape)
names = []
for name, p in net.named_parameters(): names.append(name)
print(names)
print(len(names))
x = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
y = torch.tensor([[2.0], [4.0], [6.0], [8.0]])
model = nn.Linear(1, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[0.5]])); model.bias.copy_(torch.tensor([0.0]))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
losses = []
for epoch in range(5):
    opt.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())
print(len(losses))
print(losses)
print("%.4f" % losses[-1])
history = []
for i in range(3): history.append(model.weight.detach().clone())
print(history)
a = [1, 2]
a += [3]
a.extend([4, 5])
print(a, a + [6], len(a), len(a) == 0, a[0], a[-1])
seq_model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
counts = [p.numel() for p in seq_model.parameters()]
print(counts)
print(sum(counts))
total = sum(p.numel() for p in seq_model.parameters())
print(total)
xs = [1.0, 2.0, 3.0]
print([v * 2 for v in xs])
print([v for v in xs if v > 1.5])
print(max(xs), min(xs), sorted(xs), list(reversed(xs)), 2.0 in xs)
shapes = [p.shape for p in seq_model.parameters()]
print(shapes)
d = {}
d["lr"] = 0.1
d["momentum"] = 0.9
print(d)
print(d["lr"], len(d), d.keys())
for k, v in d.items(): print(k, v)
h = {"loss": []}
h["acc"] = []
for e in range(3):
    losses = h["loss"]
    losses.append(float(e) * 0.5)
    h["loss"] = losses
print(h)
tally = {}
tally["a"] = 1
tally["a"] += 2
print(tally)
print(list(d.keys()), list(range(0, 4)), list(torch.tensor([[1.0, 2.0]]).shape), len(list(range(1, 4))))
sx = torch.zeros([2, 3])
print(sx.shape == (2, 3), sx.shape[0] == 2, sx.size() == sx.shape, sx.dim(), sx.numel())
sn, sc = sx.shape[0], sx.shape[1]
print(sn * sc, len(sx.shape), sx.shape.numel())
print(sx.shape[1:], sx.shape[:1])
letters = ["a", "b", "c", "d"]
print(letters[1:], letters[:2], letters[1:3], letters == ["a", "b", "c", "d"], (1, 2) == (1, 2))
print("=" * 20)

tags = ["b", "a", "c"]
scales = [torch.tensor(1.0), torch.tensor(2.0), torch.tensor(3.0)]
for tag, scale in zip(tags, scales):
    print(tag, scale * 2)
print(sorted(tags), "a" < "b", "B" < "a")
fit = torch.tensor([1.0], requires_grad=True)
fit_losses = []
for epoch in range(4):
    loss = ((fit - 3) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        fit -= 0.2 * fit.grad
    fit.grad = None
    fit_losses.append(loss.item())
print(min(fit_losses), max(fit_losses), fit_losses)
