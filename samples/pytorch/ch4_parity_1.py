# PyTorch reference for samples/ch4_parity_1.swiftdsl.
import torch
import torch.nn as nn
import torch.nn.functional as F

bn = torch.nn.BatchNorm1d(2)
print(bn(torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])))
bnb = nn.BatchNorm1d(2)
xs = torch.tensor([[5.0, 1.0], [3.5, 2.0], [8.0, 3.0], [-2.5, 4.0]])
for i in range(3): _ = bnb(xs)
bnb.eval()
print(bnb.running_mean, bnb.running_var)
print(bnb(torch.tensor([[0.9855, 0.75], [1.0, 2.0]])))
rm = bnb.running_mean.clone()
print(bnb(rm.unsqueeze(0)))
y2 = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
bnb.train()
bnc = nn.BatchNorm1d(2, affine=False)
print(bnc(y2))
print(bnc(torch.tensor([[0.1, 0.2], [0.3, 0.4], [0.2, 0.3]])))
ln = nn.LayerNorm(3, bias=False)
with torch.no_grad(): ln.weight.copy_(torch.tensor([1.0, -1.0, 1.0]))
print(ln(torch.tensor([1.0, 2.0, 3.0])))
ln2 = nn.LayerNorm(3)
with torch.no_grad(): ln2.weight.copy_(torch.tensor([1.0, -1.0, 1.0]))
print(ln2(torch.tensor([1.0, 2.0, 3.0])))
print(F.layer_norm(torch.tensor([1.0, 2.0, 3.0]), [3], weight=torch.tensor([1.0, -1.0, 1.0])))
w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w.data[0] = 5.0
(w * w).sum().backward()
w.grad[1] = 0.0
print(w, w.grad)
frozen = torch.tensor([3.0, 4.0], requires_grad=True)
frozen.requires_grad_(False)
frozen.grad = None
print(frozen, frozen.grad)
n = torch.tensor([3]).item()
print(2 ** -1, n ** -1)
stopper = torch.nn.Linear(2, 1)
probe = torch.tensor([[1.0, 2.0]])
for epoch in range(5):
    stopper.train()
    v = stopper(probe).sum().item()
    stopper.eval()
    if epoch >= 1 and v > -1000.0: break
print(stopper.training)
class Stack(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 1)])
    def forward(self, x): return self.layers[1](self.layers[0](x))
stack = Stack()
print(len(list(stack.children())), len(list(stack.modules())))
for name, m in stack.named_children(): print(name)
for name, m in stack.named_modules(): print(name)
print(stack.layers)
for p in stack.layers.parameters(): p.requires_grad = False
print(len([p for p in stack.parameters() if p.requires_grad]))
chain = nn.Sequential(nn.Linear(2, 3), nn.ReLU(inplace=True), nn.Dropout(0.2, inplace=True), nn.LeakyReLU(0.1, inplace=True), nn.Linear(3, 1))
print(chain)
print(len(chain))
chain.eval()
h = torch.tensor([[1.0, 2.0]])
for layer in chain:
    h = layer(h)
    print(layer, h.shape)
for i, layer in enumerate(chain): print(i, layer)
