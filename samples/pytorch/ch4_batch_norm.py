# PyTorch reference for samples/ch4_batch_norm.swiftdsl.
import torch
import torch.nn as nn

bn = nn.BatchNorm1d(3)
print(bn, nn.BatchNorm2d(4), nn.BatchNorm1d(3, eps=1e-3, momentum=0.2, affine=False))
print(bn.state_dict().keys(), bn.num_batches_tracked, bn.running_var)
x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, -1.0, 2.0], [3.0, 3.0, 3.0]], requires_grad=True)
y = bn(x)
print(y)
print("running:", bn.running_mean, bn.running_var, bn.num_batches_tracked)
(y * torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0], [0.25, -2.0, 1.0], [3.0, 1.0, -1.0]])).sum().backward()
print(x.grad)
print(bn.weight.grad, bn.bias.grad)
bn.eval()
print(bn(x))

bn2 = nn.BatchNorm2d(2, momentum=0.5)
images = torch.arange(0, 16).float().reshape([2, 2, 2, 2]) * 0.5
print(bn2(images))
print(bn2.running_mean, bn2.running_var)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.bn = nn.BatchNorm1d(3)

    def forward(self, x):
        return torch.relu(self.bn(self.fc(x)))


net = Net()
net.fc.weight = nn.Parameter(torch.tensor([[0.5, -0.25, 0.125], [-0.5, 0.75, 0.25], [0.25, 0.5, -1.0]]))
net.fc.bias = nn.Parameter(torch.tensor([0.1, -0.1, 0.0]))
print(net.state_dict().keys())
opt = torch.optim.SGD(net.parameters(), lr=0.05)
target = torch.tensor([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.5, 0.5, 0.0], [1.0, 1.0, 1.0]])
for step in range(5):
    opt.zero_grad()
    loss = nn.MSELoss()(net(x), target)
    loss.backward()
    opt.step()
    print(f"step {step}: loss = {loss.item():.4f}")
print(net.bn.num_batches_tracked, net.bn.running_mean, net.bn.running_var)
net.eval()
print(net(x))
