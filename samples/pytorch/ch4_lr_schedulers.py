# PyTorch reference for samples/ch4_lr_schedulers.swiftdsl.
import torch
w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
print(opt.param_groups[0]["lr"])
opt.param_groups[0]["lr"] = 0.05
print(opt.param_groups[0]["lr"])
scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
for epoch in range(7):
    opt.zero_grad()
    loss = (w * w).sum()
    loss.backward()
    opt.step()
    scheduler.step()
    print(epoch, scheduler.get_last_lr(), opt.param_groups[0]["lr"], f"{loss.item():.4f}")
print(opt)
v = torch.tensor([0.5, 1.5], requires_grad=True)
adam = torch.optim.Adam([v], lr=0.1)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(adam, T_max=4, eta_min=0.001)
for epoch in range(11):
    adam.zero_grad()
    loss = (v * v * v).sum()
    loss.backward()
    adam.step()
    cosine.step()
    print(epoch, cosine.get_last_lr())
print(v)
u = torch.tensor([2.0], requires_grad=True)
plain = torch.optim.SGD([u], lr=0.5)
for epoch in range(4):
    plain.zero_grad()
    (u * u).sum().backward()
    plain.step()
    plain.param_groups[0]["lr"] *= 0.5
    if epoch == 1: plain.param_groups[0]["lr"] = 0.3
print(plain.param_groups[0]["lr"], u)
z = torch.tensor([1.0, 2.0], requires_grad=True)
zopt = torch.optim.SGD([z], lr=0.2)
zsched = torch.optim.lr_scheduler.StepLR(zopt, step_size=2)
for epoch in range(5):
    for step in range(3):
        zopt.zero_grad()
        (z * z).sum().backward()
        zopt.step()
    zsched.step()
print(zsched.get_last_lr(), z)
