# The PyTorch twin of samples/ch4_evaluation.swiftdsl; its output is ch4_evaluation.expected.
import torch
logits = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
labels = torch.tensor([1, 0, 0, 0])
pred = logits.argmax(dim=1)
correct = (pred == labels).sum().item()
acc = 100.0 * float(correct) / float(len(labels))
print("Accuracy: %.2f%%" % acc)
print(f"correct {correct} of {labels.shape[0]}, {acc}")
print(pred.eq(labels).float().mean())
values, idx = logits.max(dim=1)
print(values, idx)
