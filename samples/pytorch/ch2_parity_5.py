# PyTorch reference for samples/ch2_parity_5.swiftdsl.
import torch
import torch.nn.functional as F
x = torch.tensor([[0.5, -1.0, 3.0], [2.0, 0.25, 7.0]])
print(x.var(0, False), x.std(1, False), x.sum(0, True), x.mean(1, True), x.max(1, True), x.min(0, True))
print(x.topk(1, 0), x.sort(0, True), x.argsort(1, True), x.norm(1), x.norm(2, 1), x.clamp(0, 1))
print(x.cumsum(1), x.prod(1, True), x.logsumexp(1, True), x.amax(1, True), x.any(1, True), x.argmax(1, True))
print(x.split(1, 1), x.chunk(2, 1), x.unbind(1), x.tril(-1), x.triu(1), x.flatten(0, 1), x.transpose(1, 0))
print(torch.cat([x, x], 1), torch.stack([x, x], 1), torch.softmax(x, 0), torch.log_softmax(x, 1), x.softmax(0), F.leaky_relu(x, 0.2), F.elu(x, 0.5))
print(torch.linspace(0, 1, 5), torch.eye(3, 2), torch.arange(0, 1, 0.25), torch.full([2], 3), torch.randint(3, 5, [2]).shape, x.allclose(x + 1e-3, 1e-2))
print(x.unsqueeze(1).shape, x.squeeze(0).shape, x.repeat(2, 1).shape, x.expand(2, 2, 3).shape, x.permute(1, 0).shape)
