# PyTorch reference for samples/ch3_parity_1.swiftdsl.
import torch
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
g = (x.view(4)).grad_fn
print("x.view(4)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.reshape(1, 4)).grad_fn
print("x.reshape(1, 4)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.T).grad_fn
print("x.T", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.t()).grad_fn
print("x.t()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.unsqueeze(0)).grad_fn
print("x.unsqueeze(0)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.squeeze()).grad_fn
print("x.squeeze()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x[0].unsqueeze(1).expand(2, 4)).grad_fn
print("x[0].unsqueeze(1).expand(2, 4)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.sum(dim=1)).grad_fn
print("x.sum(dim: 1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.sum()).grad_fn
print("x.sum()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.mean(dim=0)).grad_fn
print("x.mean(dim: 0)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.max()).grad_fn
print("x.max()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.max(dim=1).values).grad_fn
print("x.max(dim: 1).values", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.clamp(min=0)).grad_fn
print("x.clamp(min: 0)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x ** 2).grad_fn
print("x ** 2", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (2 ** x).grad_fn
print("2 ** x", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x ** x).grad_fn
print("x ** x", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (2 / x).grad_fn
print("2 / x", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x / 2).grad_fn
print("x / 2", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x - 1).grad_fn
print("x - 1", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (1 - x).grad_fn
print("1 - x", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (-x).grad_fn
print("-x", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.abs()).grad_fn
print("x.abs()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.exp()).grad_fn
print("x.exp()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.sigmoid()).grad_fn
print("x.sigmoid()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.relu(x)).grad_fn
print("relu(x)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.flatten()).grad_fn
print("x.flatten()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.permute(1, 0)).grad_fn
print("x.permute(1, 0)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.transpose(0, 1)).grad_fn
print("x.transpose(0, 1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.repeat(2, 1)).grad_fn
print("x.repeat(2, 1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.flip(dims=[0])).grad_fn
print("x.flip(dims: [0])", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.cumsum(dim=1)).grad_fn
print("x.cumsum(dim: 1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.prod()).grad_fn
print("x.prod()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.prod(dim=1)).grad_fn
print("x.prod(dim: 1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.std()).grad_fn
print("x.std()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.var(dim=1)).grad_fn
print("x.var(dim: 1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.norm()).grad_fn
print("x.norm()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.logsumexp(dim=1)).grad_fn
print("x.logsumexp(dim: 1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.softmax(x, dim=1)).grad_fn
print("softmax(x, dim: 1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.log_softmax(x, dim=1)).grad_fn
print("logSoftmax(x, dim: 1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.amax(dim=1)).grad_fn
print("x.amax(dim: 1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.min()).grad_fn
print("x.min()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.mean()).grad_fn
print("x.mean()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.maximum(x, x * 2)).grad_fn
print("maximum(x, x * 2)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.where(x > 2, x, 0.0)).grad_fn
print("where(x > 2, x, 0.0)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.tril()).grad_fn
print("x.tril()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.roll(1, dims=0)).grad_fn
print("x.roll(1, dim: 0)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.cat([x, x])).grad_fn
print("cat([x, x])", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.stack([x, x])).grad_fn
print("stack([x, x])", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.split(1)[0]).grad_fn
print("x.split(1)[0]", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.chunk(2, dim=1)[1]).grad_fn
print("x.chunk(2, dim: 1)[1]", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.unbind(dim=0)[0]).grad_fn
print("x.unbind(dim: 0)[0]", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.gather(dim=1, index=torch.tensor([[0], [1]]))).grad_fn
print("x.gather(dim: 1, index: tensor([[0], [1]]))", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.index_select(dim=0, index=torch.tensor([1]))).grad_fn
print("x.indexSelect(dim: 0, index: tensor([1]))", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.masked_fill(x > 2, 0.0)).grad_fn
print("x.maskedFill(x > 2, 0.0)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.sort(dim=1).values).grad_fn
print("x.sort(dim: 1).values", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.topk(2).values).grad_fn
print("x.topk(2).values", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.sqrt()).grad_fn
print("x.sqrt()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.log()).grad_fn
print("x.log()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.sin()).grad_fn
print("x.sin()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.cos()).grad_fn
print("x.cos()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.tanh()).grad_fn
print("x.tanh()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.floor()).grad_fn
print("x.floor()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.round()).grad_fn
print("x.round()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.frac()).grad_fn
print("x.frac()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.square()).grad_fn
print("x.square()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.rsqrt()).grad_fn
print("x.rsqrt()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.reciprocal()).grad_fn
print("x.reciprocal()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.nn.functional.gelu(x)).grad_fn
print("gelu(x)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.nn.functional.silu(x)).grad_fn
print("silu(x)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.nn.functional.elu(x)).grad_fn
print("elu(x)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.nn.functional.leaky_relu(x, 0.1)).grad_fn
print("leakyRelu(x, negativeSlope: 0.1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.nn.functional.softplus(x)).grad_fn
print("softplus(x)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.double()).grad_fn
print("x.double()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.float()).grad_fn
print("x.float()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x[0]).grad_fn
print("x[0]", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x[..., 1]).grad_fn
print("x[..., 1]", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x[0:1]).grad_fn
print("x[0..<1]", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x[torch.tensor([1, 0])]).grad_fn
print("x[tensor([1, 0])]", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.contiguous()).grad_fn
print("x.contiguous()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.clone()).grad_fn
print("x.clone()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.detach()).grad_fn
print("x.detach()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.matmul(x, x.T)).grad_fn
print("matmul(x, x.T)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.mm(x.T)).grad_fn
print("x.mm(x.T)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.matmul(x[0], x[1])).grad_fn
print("matmul(x[0], x[1])", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.dot(x[0], x[1])).grad_fn
print("dot(x[0], x[1])", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.trace()).grad_fn
print("x.trace()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.outer(x[0], x[1])).grad_fn
print("outer(x[0], x[1])", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.mv(x[0])).grad_fn
print("x.mv(x[0])", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.erf()).grad_fn
print("x.erf()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.atan()).grad_fn
print("x.atan()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.atan2(x, x + 1)).grad_fn
print("atan2(x, x + 1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.log1p()).grad_fn
print("x.log1p()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.expm1()).grad_fn
print("x.expm1()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.exp2()).grad_fn
print("x.exp2()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.log2()).grad_fn
print("x.log2()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.sign()).grad_fn
print("x.sign()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x % 2).grad_fn
print("x % 2", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.expand_as(torch.stack([x, x]))).grad_fn
print("x.expandAs(stack([x, x]))", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.unflatten(1, (2, 1))).grad_fn
print("x.unflatten(dim: 1, sizes: [2, 1])", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.flatten(start_dim=0)).grad_fn
print("x.flatten(startDim: 0)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.triu(diagonal=1)).grad_fn
print("x.triu(diagonal: 1)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.argmax()).grad_fn
print("x.argmax()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.add(x)).grad_fn
print("x.add(x)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.mul(2)).grad_fn
print("x.mul(2)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.pow(x, 2)).grad_fn
print("pow(x, 2)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (torch.minimum(x, torch.tensor(2.0))).grad_fn
print("minimum(x, 2.0)", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
g = (x.neg()).grad_fn
print("x.neg()", "None" if g is None else "<%s object at 0x7f0000000000>" % g.name())
y = x.clone()
print(y, y.is_leaf, y.requires_grad)
y[0] = 10.0
print(y)
(y * y).sum().backward()
print(x.grad)
z = x.detach().clone()
print(z, z.requires_grad)
c = torch.tensor([4.0, 5.0]).clone()
print(c, c.is_leaf)
with torch.no_grad(): d = x.clone()
print(d)

leaf1d = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
def fn(t):
    return "None" if t.grad_fn is None else t.grad_fn.name()
print("leaf1d.T", (leaf1d.T).is_leaf, fn(leaf1d.T))
print("leaf1d.reshape(3)", (leaf1d.reshape(3)).is_leaf, fn(leaf1d.reshape(3)))
print("leaf1d.view(-1)", (leaf1d.view(-1)).is_leaf, fn(leaf1d.view(-1)))
print("leaf1d.flatten()", (leaf1d.flatten()).is_leaf, fn(leaf1d.flatten()))
print("leaf1d.squeeze()", (leaf1d.squeeze()).is_leaf, fn(leaf1d.squeeze()))
print("leaf1d.contiguous()", (leaf1d.contiguous()).is_leaf, fn(leaf1d.contiguous()))
print("leaf1d.float()", (leaf1d.float()).is_leaf, fn(leaf1d.float()))
print("leaf1d.to(.float32)", (leaf1d.to(torch.float32)).is_leaf, fn(leaf1d.to(torch.float32)))
print("leaf1d[...]", (leaf1d[...]).is_leaf, fn(leaf1d[...]))
print("leaf1d.expand(3)", (leaf1d.expand(3)).is_leaf, fn(leaf1d.expand(3)))
print("leaf1d.repeat(1)", (leaf1d.repeat(1)).is_leaf, fn(leaf1d.repeat(1)))
print("leaf1d.permute(0)", (leaf1d.permute(0)).is_leaf, fn(leaf1d.permute(0)))
print("leaf1d.transpose(0, 0)", (leaf1d.transpose(0, 0)).is_leaf, fn(leaf1d.transpose(0, 0)))
print("leaf1d.unsqueeze(0).squeeze(0)", (leaf1d.unsqueeze(0).squeeze(0)).is_leaf, fn(leaf1d.unsqueeze(0).squeeze(0)))
print("leaf1d[0..<3]", (leaf1d[0:3]).is_leaf, fn(leaf1d[0:3]))
print("leaf1d.flip(dims: [])", (leaf1d.flip(dims=[])).is_leaf, fn(leaf1d.flip(dims=[])))
print("leaf1d.roll(0)", (leaf1d.roll(0)).is_leaf, fn(leaf1d.roll(0)))
print("leaf1d.sum(dim: [])", (leaf1d.sum(dim=[])).is_leaf, fn(leaf1d.sum(dim=[])))
print("leaf1d.double().float()", (leaf1d.double().float()).is_leaf, fn(leaf1d.double().float()))
print("leaf1d.clamp(min: -10)", (leaf1d.clamp(min=-10)).is_leaf, fn(leaf1d.clamp(min=-10)))
print("leaf1d * 1", (leaf1d * 1).is_leaf, fn(leaf1d * 1))
print("leaf1d + 0", (leaf1d + 0).is_leaf, fn(leaf1d + 0))
print("+leaf1d", (+leaf1d).is_leaf, fn(+leaf1d))
print("leaf1d.abs()", (leaf1d.abs()).is_leaf, fn(leaf1d.abs()))
print("leaf1d.split(3)[0]", (leaf1d.split(3)[0]).is_leaf, fn(leaf1d.split(3)[0]))
print("leaf1d.chunk(1)[0]", (leaf1d.chunk(1)[0]).is_leaf, fn(leaf1d.chunk(1)[0]))
print("cat([leaf1d])", (torch.cat([leaf1d])).is_leaf, fn(torch.cat([leaf1d])))
print("stack([leaf1d])[0]", (torch.stack([leaf1d])[0]).is_leaf, fn(torch.stack([leaf1d])[0]))
print("leaf1d.mean(dim: [])", (leaf1d.mean(dim=[])).is_leaf, fn(leaf1d.mean(dim=[])))
print("leaf1d.sum(dim: 0)", (leaf1d.sum(dim=0)).is_leaf, fn(leaf1d.sum(dim=0)))
print("leaf1d.sum()", (leaf1d.sum()).is_leaf, fn(leaf1d.sum()))
print("leaf1d[0].sum(dim: 0)", (leaf1d[0].sum(dim=0)).is_leaf, fn(leaf1d[0].sum(dim=0)))
print("leaf1d[0].sum()", (leaf1d[0].sum()).is_leaf, fn(leaf1d[0].sum()))
print("leaf1d.mean()", (leaf1d.mean()).is_leaf, fn(leaf1d.mean()))
print("leaf1d[0].mean(dim: 0)", (leaf1d[0].mean(dim=0)).is_leaf, fn(leaf1d[0].mean(dim=0)))
