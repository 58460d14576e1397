# PyTorch reference for samples/ch4_module_basics.swiftdsl.
# Run from samples/ (it reads data/mlp_init.safetensors and writes mlp_saved.safetensors).
import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file


class MLP(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.fc2 = nn.Linear(4, hidden)
        self.layers = nn.ModuleList([nn.Linear(hidden, hidden), nn.Linear(hidden, 2, bias=False)])

    def forward(self, x):
        h = torch.relu(self.fc2(torch.relu(self.fc1(x))))
        return self.layers[1](torch.tanh(self.layers[0](h)))


model = MLP(5)
print(model)
model.load_state_dict(load_file("data/mlp_init.safetensors"))

total = 0
for name, p in model.named_parameters():
    print(name, p.shape, p.requires_grad)
    total += p.numel()
print("parameters:", len(list(model.parameters())), "elements:", total)
print("fc1.bias:", model.fc1.bias)

x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0], [0.25, -2.0, 1.0]])
target = torch.tensor([[0.5, -0.5], [1.0, 0.0], [0.0, 0.0]])
y = model(x)
print("y:", y)
loss = ((y - target) ** 2).mean()
print("loss:", loss)
loss.backward()
print("fc1.weight.grad:", model.fc1.weight.grad)
print("layers.1.weight.grad:", model.layers[1].weight.grad)

print("training:", model.training, model.fc1.training)
model.eval()
print("after eval():", model.training, model.layers[0].training)
model.train()
print("after train():", model.training)
model.train(False)
print("after train(false):", model.training)
model.train()

print(model.state_dict().keys())
save_file(model.state_dict(), "mlp_saved.safetensors")

copy = MLP(5)
copy.load_state_dict(model.state_dict())
print("copy matches:", (copy.fc1.weight - model.fc1.weight).abs().max(), (copy.layers[0].bias - model.layers[0].bias).abs().max())
