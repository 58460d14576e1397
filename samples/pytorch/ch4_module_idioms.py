# PyTorch twin of samples/ch4_module_idioms.swiftdsl.
import torch, torch.nn as nn
from safetensors.torch import save_file, load_file
x = torch.arange(0, 10).float(); y = torch.arange(0, 10)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=4, num_workers=0, pin_memory=False)
outs = []
for xb, yb in loader: outs.append(xb * 2)
print(torch.cat(outs))
for batch in torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x[:4], y[:4]), batch_size=2): print(batch)
layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
seq = nn.Sequential(*layers)
print(seq)
class Tied(nn.Module):
    def __init__(s, a, b):
        super().__init__(); s.a = a; s.b = b; s.scale = torch.tensor([1.0, 0.5])
shared = nn.Linear(2, 2)
t = Tied(shared, shared)
print(len(list(t.parameters())), t.state_dict().keys())
net = nn.Linear(2, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
save_file({"weight": torch.tensor([[1.0, 2.0]]), "bias": torch.tensor([0.5])}, "ch4_module_idioms_net.safetensors")
net.load_state_dict(load_file("ch4_module_idioms_net.safetensors"))
for step in range(2):
    opt.zero_grad(); net(torch.tensor([[1.0, 1.0]])).sum().backward(); opt.step()
print(net.weight, net.bias)

g = torch.tensor([-3.0, -1.0, 0.0, 0.5, 2.0], requires_grad=True)
gelus = nn.GELU(approximate="tanh")
print(gelus, nn.GELU())
activated = gelus(g)
activated.sum().backward()
print(activated, g.grad)
print(torch.nn.functional.gelu(g, approximate="tanh"), torch.nn.functional.gelu(g, approximate="none"))

momentum_sgd = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)


def train_step(model, optimizer):
    optimizer.zero_grad()
    loss = model(torch.tensor([[1.0, 1.0]])).pow(2).sum()
    loss.backward()
    optimizer.step()
    return loss.item()


for step in range(3):
    print(step, f"{train_step(net, momentum_sgd):.4f}")
names = ["first", "second"]
for i in range(2):
    print(names[i], net.weight[0, i])


class Partial(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)
        self.extra = nn.Linear(1, 1)


partial = Partial()
save_file({"fc.weight": torch.tensor([[1.0, 2.0]]), "fc.bias": torch.tensor([0.5]), "other.weight": torch.tensor([3.0])},
          "ch4_module_idioms_partial.safetensors")
partial.load_state_dict(load_file("ch4_module_idioms_partial.safetensors"), strict=False)
copied = Partial()
copied.load_state_dict(partial.state_dict(), strict=False)
print(partial.fc.weight, copied.fc.bias)
