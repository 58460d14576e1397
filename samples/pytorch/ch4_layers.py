# PyTorch reference for samples/ch4_layers.swiftdsl.
import torch
import torch.nn as nn

net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Dropout(0.2), nn.Sequential(nn.Linear(3, 2), nn.Tanh()), nn.Flatten(), nn.LeakyReLU(0.1))
print(net)
print(net[0], net[3][0])
for name, p in net.named_parameters():
    print(name, p.shape)
print(nn.Sigmoid(), nn.GELU(), nn.SiLU(), nn.Softmax(dim=1), nn.LogSoftmax(dim=-1), nn.Identity(), nn.Dropout(), nn.Embedding(10, 3))
print(nn.LayerNorm([4]), nn.LayerNorm([2, 3], eps=1e-6, elementwise_affine=False))

net[0].weight = nn.Parameter(torch.tensor([[0.5, -0.25, 0.125, 1.0], [-0.5, 0.75, 0.25, 0.0], [0.25, 0.5, -1.0, 0.5]]))
net[0].bias = nn.Parameter(torch.tensor([0.1, -0.1, 0.0]))
net[3][0].weight = nn.Parameter(torch.tensor([[1.0, -1.0, 0.5], [0.25, 0.5, -0.75]]))
net[3][0].bias = nn.Parameter(torch.tensor([0.0, 0.2]))
print(net[0].weight)
x = torch.tensor([[1.0, -2.0, 3.0, 0.5], [0.0, 1.0, -1.0, 2.0]], requires_grad=True)
net.eval()
print("training:", net.training, net[2].training)
out = net(x)
print(out)
out.sum().backward()
print(x.grad)
print(net[0].weight.grad)

a = torch.tensor([[1.0, -2.0, 3.0, 0.5], [0.0, 1.0, -1.0, 2.0]])
print(nn.ReLU()(a), nn.Sigmoid()(a))
print(nn.Tanh()(a), nn.SiLU()(a))
print(nn.GELU()(a * 0.5), nn.LeakyReLU()(a))
print(nn.Softmax(dim=1)(a), nn.LogSoftmax(dim=0)(a))
print(nn.Flatten(start_dim=0)(a), nn.Flatten()(a.reshape([2, 2, 2])).shape, nn.Identity()(a).shape)

ln = nn.LayerNorm(4)
z = torch.tensor([[1.0, -2.0, 3.0, 0.5], [0.0, 1.0, -1.0, 2.0]], requires_grad=True)
normed = ln(z)
print(normed)
(normed * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
print(z.grad)
print(ln.weight.grad, ln.bias.grad)

emb = nn.Embedding(5, 2)
emb.weight = nn.Parameter(torch.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0], [8.0, 9.0]]))
rows = emb(torch.tensor([[0, 4], [2, 2]]))
print(rows)
rows.sum().backward()
print(emb.weight.grad)

drop = nn.Dropout(0.5)
drop.eval()
print(drop(a))
print(nn.Dropout(0.0)(a))
