# PyTorch reference for samples/ch4_training_loop.swiftdsl. Run from samples/ (it reads data/net_init.safetensors).
import torch, torch.nn as nn
from safetensors.torch import load_file
class Net(nn.Module):
    def __init__(s):
        super().__init__(); s.fc1=nn.Linear(3,4); s.fc2=nn.Linear(4,2)
    def forward(s,x): return s.fc2(torch.relu(s.fc1(x)))
model=Net(); model.load_state_dict(load_file("data/net_init.safetensors"))
x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0], [0.25, -2.0, 1.0], [0.0, 1.0, -1.0]])
y = torch.tensor([[0.5, -0.5], [1.0, 0.0], [0.0, 0.0], [-1.0, 1.0]])
criterion = nn.MSELoss()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
print(criterion, opt)
for step in range(20):
    model.zero_grad(); loss=criterion(model(x), y); loss.backward(); opt.step()
    if step % 5 == 0: print(f"step {step}: loss = {loss.item():.4f}")
print(model.fc2.bias)
adam = torch.optim.Adam(model.parameters(), lr=0.01)
print(adam)
for step in range(20):
    adam.zero_grad(); loss=((model(x)-y)**2).mean(); loss.backward(); adam.step()
    if step % 5 == 0: print(f"step {step}: loss = {loss.item():.4f}")
print(model.fc2.bias)

classifier = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 3))
classifier.load_state_dict(load_file("data/classifier_init.safetensors"))
labels = torch.tensor([2, 0, 1, 2])
loss_function = nn.CrossEntropyLoss(label_smoothing=0.05)
classifier_opt = torch.optim.Adam(classifier.parameters(), lr=0.05)
for epoch in range(30):
    classifier_opt.zero_grad()
    loss = loss_function(classifier(x), labels)
    loss.backward()
    classifier_opt.step()
    if epoch % 10 == 9:
        print(f"epoch {epoch + 1}: loss = {loss.item():.4f}")
print(classifier(x).argmax(dim=1))

for name, optimizer in [("AdamW", torch.optim.AdamW(classifier.parameters(), lr=0.01)), ("RMSprop", torch.optim.RMSprop(classifier.parameters(), lr=0.005, momentum=0.5))]:
    for epoch in range(10):
        optimizer.zero_grad()
        loss = loss_function(classifier(x), labels)
        loss.backward()
        optimizer.step()
        if epoch == 9:
            print(f"{name}: loss = {loss.item():.4f}")
print(torch.optim.RMSprop(classifier.parameters(), centered=True))

for p in classifier[0].parameters():
    p.requires_grad = False
frozen_before = classifier[0].weight.sum()
head_opt = torch.optim.SGD(classifier.parameters(), lr=0.1)
for epoch in range(5):
    head_opt.zero_grad()
    loss = loss_function(classifier(x), labels)
    loss.backward()
    head_opt.step()
print("frozen:", classifier[0].weight.requires_grad, (classifier[0].weight.sum() - frozen_before).abs() < 1e-6, classifier[2].bias.requires_grad)
for name, p in classifier.named_parameters():
    print(name, p.requires_grad)

clip_opt = torch.optim.SGD(classifier.parameters(), lr=0.1)
for epoch in range(3):
    clip_opt.zero_grad()
    loss = loss_function(classifier(x), labels)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(classifier.parameters(), max_norm=0.001)
    clip_opt.step()
    print(f"epoch {epoch + 1}: norm before clipping = {norm.item():.4f}, loss = {loss.item():.4f}")
