#!/usr/bin/python3
"""PyTorch (Debian python3-torch, CPU) reference for `npm run bench:gpt`: the same GPT-2 block math as
moxing, timed per training step (forward, backward, AdamW) and per generated token with a KV cache.

Usage: gpt_ref.py train|generate --n-layer L --n-head H --n-embd C --block-size T --batch-size B
       --vocab-size V [--steps N] [--threads K]   -> one JSON line
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, C, H):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.c_attn, self.c_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.c_fc, self.mlp_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)
        self.H = H

    def attn(self, x, cache=None):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.H, C // self.H).transpose(1, 2) for t in (q, k, v))
        if cache is not None:
            if cache[0] is not None:
                k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
            cache[0], cache[1] = k, v
        # nanoGPT's explicit attention (Debian's torch 1.13 has no fused scaled_dot_product_attention)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        if T > 1:
            Tk = k.size(2)
            mask = torch.ones(T, Tk, dtype=torch.bool).tril(Tk - T)
            att = att.masked_fill(~mask, float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln_1(x), cache)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, V, T, L, H, C):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(T, C)
        self.h = nn.ModuleList([Block(C, H) for _ in range(L)])
        self.ln_f = nn.LayerNorm(C)

    def forward(self, idx, targets=None, caches=None, pos0=0):
        B, T = idx.shape
        x = self.wte(idx) + self.wpe(torch.arange(pos0, pos0 + T))
        for i, b in enumerate(self.h):
            x = b(x, None if caches is None else caches[i])
        logits = self.ln_f(x) @ self.wte.weight.T
        loss = None if targets is None else F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "generate"])
    for k, d in [("n-layer", 4), ("n-head", 4), ("n-embd", 128), ("block-size", 128), ("batch-size", 16), ("vocab-size", 256), ("steps", 10), ("threads", 2), ("new-tokens", 100), ("repeats", 3)]:
        p.add_argument(f"--{k}", type=int, default=d)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    m = GPT(a.vocab_size, a.block_size, a.n_layer, a.n_head, a.n_embd)
    if a.mode == "train":
        opt = torch.optim.AdamW(m.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
        x = torch.randint(0, a.vocab_size, (a.batch_size, a.block_size))
        y = torch.randint(0, a.vocab_size, (a.batch_size, a.block_size))
        times = []
        for s in range(a.steps + 2):
            t0 = time.perf_counter()
            _, loss = m(x, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            opt.step()
            times.append(time.perf_counter() - t0)
        ms = sorted(times[2:])[len(times[2:]) // 2] * 1000  # median
        print(json.dumps({"bench": "train", "impl": "pytorch", "threads": a.threads, "msPerStep": ms, "tokensPerSecond": a.batch_size * a.block_size / ms * 1000}))
    else:
        m.eval()
        with torch.no_grad():
            prompt = torch.randint(0, a.vocab_size, (1, 8))
            best = 0
            for _ in range(a.repeats):
                caches = [[None, None] for _ in m.h]
                t0 = time.perf_counter()
                logits, _ = m(prompt, caches=caches)
                n = 0
                pos = prompt.shape[1]
                while n < min(a.new_tokens, a.block_size - pos):
                    nxt = logits[:, -1].argmax(-1, keepdim=True)
                    logits, _ = m(nxt, caches=caches, pos0=pos)
                    pos += 1
                    n += 1
                best = max(best, n / (time.perf_counter() - t0))
        print(json.dumps({"bench": "generate", "impl": "pytorch", "threads": a.threads, "tokensPerSecond": best}))


if __name__ == "__main__":
    main()
