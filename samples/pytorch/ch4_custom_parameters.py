# The PyTorch twin of samples/ch4_custom_parameters.swiftdsl; its output is ch4_custom_parameters.expected.
import torch, torch.nn as nn
import torch.nn.functional as F
class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.scale = nn.Parameter(torch.ones(1))
        self.offset = nn.Parameter(torch.zeros([2]))
    def forward(self, x): return self.fc(x) * self.scale + self.offset
m = Scaled()
for name, p in m.named_parameters(): print(name, p.shape)
print(m.scale)
print(m)
class Affine(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        self.shift = nn.Parameter(torch.zeros([1]))
        self.frozen = nn.Parameter(torch.tensor([2.0]), requires_grad=False)
    def forward(self, x): return x * self.scale + self.shift
am = Affine()
print(am.frozen)
x = torch.tensor([[1.0], [2.0], [3.0]])
y = torch.tensor([[3.0], [5.0], [7.0]])
opt = torch.optim.SGD(am.parameters(), lr=0.05)
for i in range(50):
    opt.zero_grad()
    loss = F.mse_loss(am(x), y)
    loss.backward()
    opt.step()
print(am.scale, am.shift)
print(am.state_dict())
seqm = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
seqm[0].weight.requires_grad = False
trainable = sum(p.numel() for p in seqm.parameters() if p.requires_grad)
total = sum(p.numel() for p in seqm.parameters())
print(f"trainable {trainable} of {total}")
for name, p in seqm.named_parameters():
    if p.requires_grad:
        print(name)
