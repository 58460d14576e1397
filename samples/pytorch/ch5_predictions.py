# PyTorch reference for samples/ch5_predictions.swiftdsl.
# Chapter 5's inference step: a classifier's predictions printed by class name, the name picked
# from a Python list by an index computed from the model's output (classes[pred]).
import torch
import torch.nn.functional as F
classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat"]
weight = torch.tensor([[0.5, -0.2, 0.1], [-0.3, 0.8, 0.2], [0.1, 0.1, -0.6], [0.7, 0.3, 0.4], [-0.5, -0.4, 0.9]])
bias = torch.tensor([0.1, -0.1, 0.0, 0.05, -0.2])
images = torch.tensor([[1.0, 0.0, 0.5], [0.0, 1.0, 0.0], [-1.0, -1.0, -1.0], [0.2, 0.3, 1.0]])
labels = torch.tensor([0, 1, 2, 4])
with torch.no_grad():
    logits = F.linear(images, weight, bias)
    probs = F.softmax(logits, dim=1)
    pred = logits.argmax(dim=1)
for i in range(4):
    k = pred[i].item()
    mark = "correct" if k == labels[i].item() else "wrong"
    print(f"image {i}: {classes[k]} ({probs[i, k].item():.3f}) {mark}, true: {classes[labels[i]]}")
print("first prediction:", classes[pred[0]])
print("last class:", classes[-1], "| from the end:", classes[pred[3] - 5])
correct = (pred == labels).sum().item()
print(f"accuracy: {correct}/4")
# the most confident prediction, tracked in a loop: a string variable changed under an `if`
best_name, best_p = "none", 0.0
for i in range(4):
    k = pred[i].item()
    p = probs[i, k].item()
    if p > best_p:
        best_p = p
        best_name = classes[k]
print(f"most confident: {best_name} ({best_p:.3f})")
verdict = "unknown"
if correct == 4:
    verdict = "perfect"
elif correct >= 2:
    verdict = "half or better"
print("verdict:", verdict)
