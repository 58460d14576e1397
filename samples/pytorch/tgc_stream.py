"""tgc's random stream (Philox4x32-10, runtime/include/tgc_runtime.h) replayed in Python, so that
a PyTorch twin can draw the permutations a tgc program draws (randperm, shuffling loaders,
randomSplit) and train PyTorch on the same batches. runtime/tests/gen_rng_cases.py checks the C
runtime against the same Philox."""
import numpy as np

M0, M1, W0, W1, MASK = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85, 0xFFFFFFFF


def philox(counter, key):
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for r in range(10):
        if r:
            k0, k1 = (k0 + W0) & MASK, (k1 + W1) & MASK
        p0, p1 = M0 * c0, M1 * c2
        c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & MASK, (p0 >> 32) ^ c3 ^ k1, p0 & MASK
    return [c0, c1, c2, c3]


def words(seed, block, nblocks):
    """The stream's 32-bit words from `block` on, four per block."""
    out = []
    for b in range(block, block + nblocks):
        out += philox([b & MASK, b >> 32, 0, 0], [seed & MASK, seed >> 32])
    return out


class TgcStream:
    """tgc's random stream after manualSeed(seed): each draw of n starts at a fresh block."""

    def __init__(self, seed):
        self.seed, self.block = seed, 0

    def uniform(self, n):
        drawn = words(self.seed, self.block, (n + 3) // 4)
        self.block += (n + 3) // 4
        return np.array([w >> 8 for w in drawn[:n]], dtype=np.float32) * np.float32(2.0**-24)

    def randperm(self, n):
        import torch
        return torch.from_numpy(np.argsort(self.uniform(n), kind="stable"))
