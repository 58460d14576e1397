# PyTorch twin of samples/control_flow.swiftdsl; its output is control_flow.expected.
import torch
def square(x): return x * x
def affine(x, scale=2.0, s=0): return x * scale + s
total = torch.zeros([2])
count = 0
for i in range(5):
    total += square(torch.tensor([1.0, 2.0]) * i)
    count += 1
    if i % 2 == 0:
        print(f"even {i}: {total}")
    else:
        print("odd", i, total.sum().item())
print(count, total)
print(affine(torch.tensor([1.0]), s=1))
acc = torch.tensor(0.0)
for k in range(1, 4):
    acc = acc + k
print(acc, acc.item())
b = torch.tensor([3.0, -1.0])
if b.sum() > 1:
    print("big")
else:
    print("small")
c = b if b.sum() > 1 else -b
print(c)
one = torch.tensor([[4.0]])
picked = one.min() if one > 1 else one.max()
print(picked, picked.shape)
v = torch.tensor([[2.0, -1.0]], requires_grad=True)
chosen = v * 2 if one.sum() > 10 else v
print(chosen, chosen.shape, chosen.is_leaf)
