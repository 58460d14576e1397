# PyTorch reference for samples/ch4_conv.swiftdsl. Run from samples/: it writes
# data/cnn_init.safetensors (the starting weights, from torch.manual_seed(0)) and starts from it.
import torch, torch.nn as nn, torch.nn.functional as F
from safetensors.torch import load_file, save_file


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(4, 6, kernel_size=3, padding=2, dilation=2, groups=2, bias=False)
        self.avg = nn.AvgPool2d(kernel_size=3, stride=2, padding=1)
        self.gap = nn.AdaptiveAvgPool2d([1, 1])
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn(self.conv1(x))))
        return self.fc(self.flatten(self.gap(self.avg(self.conv2(x)))))


torch.manual_seed(0)
save_file(CNN().state_dict(), "data/cnn_init.safetensors")
model = CNN()
model.load_state_dict(load_file("data/cnn_init.safetensors"))
print(model)
print(model.state_dict().keys())
x = (torch.arange(0, 128).float().reshape([2, 1, 8, 8]) * 0.37).sin()
features = model.pool(torch.relu(model.bn(model.conv1(x))))
print(features.shape, features.grad_fn.name())
mixed = model.conv2(features)
print(mixed.shape, mixed.grad_fn.name(), model.avg(mixed).grad_fn.name(), model.gap(model.avg(mixed)).grad_fn.name())
logits = model(x)
print(logits)
labels = torch.tensor([2, 0])
loss = F.cross_entropy(logits, labels)
print(f"loss = {loss.item():.4f}")
loss.backward()
print(model.conv1.weight.grad[1])
print(model.conv2.weight.grad[0])
print(model.bn.weight.grad, model.fc.bias.grad)

# The functional forms, on one image without a batch dimension.
image = x[1]
print(F.conv2d(image, model.conv1.weight, bias=model.conv1.bias, stride=2).shape)
print(F.max_pool2d(image, 3, stride=2, padding=1))
print(F.avg_pool2d(image, kernel_size=(2, 4)))
print(F.adaptive_avg_pool2d(image, (3, 2)))

running_mean = torch.zeros([4])
running_var = torch.ones([4])
for step in range(2):
    normalized = F.batch_norm(features, running_mean, running_var, weight=model.bn.weight, bias=model.bn.bias, training=True, momentum=0.5)
    print(normalized[0, 0])
print(running_mean, running_var)
print(F.batch_norm(features, running_mean, running_var)[1, 2])
print(F.layer_norm(features, [4, 4], eps=1e-3)[0, 1, 0])
print(F.embedding(labels, model.fc.weight))

opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for step in range(3):
    opt.zero_grad()
    loss = F.cross_entropy(model(x), labels)
    loss.backward()
    opt.step()
    print(f"step {step}: loss = {loss.item():.4f}")
print(model.bn.running_mean, model.bn.num_batches_tracked)
model.eval()
print(model(x).argmax(dim=1))
