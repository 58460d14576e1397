# PyTorch reference for samples/ch4_resume_training.swiftdsl. Run from samples/ (it reads data/net_init.safetensors).
# The optimizer checkpoint goes through PyTorch's own optimizer state_dict (in memory), which
# tgc's safetensors keys mirror.
import copy, torch, torch.nn as nn, torch.nn.functional as F
from safetensors.torch import load_file
class Net(nn.Module):
    def __init__(s):
        super().__init__(); s.fc1 = nn.Linear(3, 4); s.fc2 = nn.Linear(4, 2)
    def forward(s, x): return s.fc2(torch.relu(s.fc1(x)))
def fresh():
    m = Net(); m.load_state_dict(load_file("data/net_init.safetensors")); return m
x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0], [0.25, -2.0, 1.0], [0.0, 1.0, -1.0]])
y = torch.tensor([[0.5, -0.5], [1.0, 0.0], [0.0, 0.0], [-1.0, 1.0]])

whole = fresh()
whole_opt = torch.optim.Adam(whole.parameters(), lr=0.05)
whole_schedule = torch.optim.lr_scheduler.StepLR(whole_opt, step_size=4, gamma=0.5)
for step in range(10):
    whole_opt.zero_grad()
    loss = F.mse_loss(whole(x), y)
    loss.backward()
    whole_opt.step()
    whole_schedule.step()
    if step >= 8: print(f"whole, step {step}: loss = {loss.item():.6f}")

first = fresh()
first_opt = torch.optim.Adam(first.parameters(), lr=0.05)
first_schedule = torch.optim.lr_scheduler.StepLR(first_opt, step_size=4, gamma=0.5)
for step in range(5):
    first_opt.zero_grad()
    F.mse_loss(first(x), y).backward()
    first_opt.step()
    first_schedule.step()
saved_model = copy.deepcopy(first.state_dict())
saved_opt = copy.deepcopy(first_opt.state_dict())
print(len(load_file("data/net_init.safetensors").keys()), first_opt.param_groups[0]["lr"])

resumed = Net()
resumed.load_state_dict(saved_model)
resumed_opt = torch.optim.Adam(resumed.parameters(), lr=0.05)
resumed_opt.load_state_dict(saved_opt)
print("loaded lr:", resumed_opt.param_groups[0]["lr"])
for step in range(5, 10):
    resumed_opt.zero_grad()
    loss = F.mse_loss(resumed(x), y)
    loss.backward()
    resumed_opt.step()
    if step == 7: resumed_opt.param_groups[0]["lr"] = resumed_opt.param_groups[0]["lr"] * 0.5
    if step >= 8: print(f"resumed, step {step}: loss = {loss.item():.6f}")
print(torch.equal(whole.fc1.weight, resumed.fc1.weight), torch.equal(whole.fc2.bias, resumed.fc2.bias))
print(resumed.fc2.weight)

plain = fresh()
plain_opt = torch.optim.SGD(plain.parameters(), lr=0.05, momentum=0.9)
for step in range(10):
    plain_opt.zero_grad()
    F.mse_loss(plain(x), y).backward()
    plain_opt.step()
half = fresh()
half_opt = torch.optim.SGD(half.parameters(), lr=0.05, momentum=0.9)
for step in range(5):
    half_opt.zero_grad()
    F.mse_loss(half(x), y).backward()
    half_opt.step()
saved_model = copy.deepcopy(half.state_dict())
saved_opt = copy.deepcopy(half_opt.state_dict())
again = Net()
again.load_state_dict(saved_model)
again_opt = torch.optim.SGD(again.parameters(), lr=0.05, momentum=0.9)
again_opt.load_state_dict(saved_opt)
for step in range(5):
    again_opt.zero_grad()
    F.mse_loss(again(x), y).backward()
    again_opt.step()
print(torch.equal(plain.fc1.weight, again.fc1.weight), torch.equal(plain.fc2.weight, again.fc2.weight), (plain.fc2.bias - again.fc2.bias).abs().max())
print(again.fc1.bias)
