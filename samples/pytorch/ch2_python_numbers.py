# PyTorch reference for samples/ch2_python_numbers.swiftdsl.
import torch

x = torch.tensor([0.1])
print(x.item(), x.item() * 3, (x * 3).item())
n = torch.tensor([7, 5]).sum().item()
print(n, n * 2, n / 2, n + 0.5, n % 4, n ** 2)
d = torch.tensor([0.1], dtype=torch.float64)
print(d.item() * 3, torch.tensor([2], dtype=torch.int32).sum().item() * 1000000000)

# Loop indices and number variables changed in a loop
lr = 0.1
steps = 0
for i in range(4):
    lr = lr * 0.5
    steps = steps + i
    print(i * 0.1, i / 2, i + 1, lr)
print(lr, steps)
total = 0.0
for v in range(3):
    total = total + torch.tensor([0.1, 0.2]).sum().item() * float(v)
print(total)

# tolist()
print(torch.tensor([[1.0, 2.5], [3.0, 0.1]]).tolist(), torch.tensor([1, 2], dtype=torch.int32).tolist(), torch.tensor([True, False]).tolist())
print(f"{torch.tensor([0.1], dtype=torch.float64).tolist()} {torch.tensor(7).tolist()} {torch.zeros(2, 0).tolist()}")

# print's sep= and end=
print("a", 1, sep=", ", end="")
print(" b", x.item(), end=" | ")
for i in range(3):
    print(i, end=",")
print("multi", end="\nline\n")

# A number next to a tensor takes the tensor's dtype
w = torch.tensor([1.0, 2.0])
print(w * x.item(), w + n, torch.tensor([1, 2], dtype=torch.int32) + x.item(), torch.tensor([1, 2], dtype=torch.int32) * n)
print(f"{x.item():.4f} {n:.2f} {lr:.6f}")
