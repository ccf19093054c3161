#!/usr/bin/python3
"""PyTorch reference for `npm run bench:gpu`, on the same GPU in the same run (CUDA).

gpu_torch.py gemm --sizes 1024,4096              -> {"fp32_1024": TFLOP/s, "fp16_...", "bf16_..."}
gpu_torch.py train --n-layer L --n-head H --n-embd C --block-size T --vocab-size V --batch-size B
             [--precision fp32|bf16] [--steps N]  -> {"tokensPerSecond": ...}  (eager, fused AdamW, SDPA)
gpu_torch.py generate ... --batch-size B --new-tokens N -> {"tokensPerSecond": ...}  (KV cache, greedy)
Prints one JSON line; {"error": ...} when torch or CUDA is missing.
"""
import argparse
import json
import sys
import time


def fail(msg):
    print(json.dumps({"error": msg}))
    sys.exit(0)


try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # noqa: BLE001
    fail(f"no torch: {e}")
if not torch.cuda.is_available():
    fail("torch has no CUDA device")
dev = "cuda"


def sync_time(f, reps):
    f()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        f()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / reps


def gemm(sizes):
    out = {}
    # fp32 is plain fp32 (no TF32), as moxing's fp32 GEMM.
    torch.backends.cuda.matmul.allow_tf32 = False
    for n in sizes:
        for name, dt in [("fp32", torch.float32), ("fp16", torch.float16), ("bf16", torch.bfloat16)]:
            a = torch.rand(n, n, device=dev, dtype=dt) * 2 - 1
            b = torch.rand(n, n, device=dev, dtype=dt) * 2 - 1
            reps = max(3, int(2e12 / (2 * n**3)))
            s = sync_time(lambda: torch.matmul(a, b), reps)
            out[f"{name}_{n}"] = 2 * n**3 / s / 1e12
    return out


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
        # causal for a whole sequence; a decode step (T = 1) attends to everything cached
        y = F.scaled_dot_product_attention(q, k, v, is_causal=T > 1 and k.size(2) == T)
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
        x = self.wte(idx) + self.wpe(torch.arange(pos0, pos0 + T, device=idx.device))
        for i, b in enumerate(self.h):
            x = b(x, None if caches is None else caches[i])
        logits = self.ln_f(x) @ self.wte.weight.T
        loss = None if targets is None else F.cross_entropy(logits.view(-1, logits.size(-1)).float(), targets.view(-1))
        return logits, loss


def train(a):
    m = GPT(a.vocab_size, a.block_size, a.n_layer, a.n_head, a.n_embd).to(dev)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1, fused=True)
    x = torch.randint(0, a.vocab_size, (a.batch_size, a.block_size), device=dev)
    y = torch.randint(0, a.vocab_size, (a.batch_size, a.block_size), device=dev)
    bf16 = a.precision == "bf16"

    def step():
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
            _, loss = m(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        return loss

    for _ in range(3):
        step()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    loss.item()
    s = (time.perf_counter() - t0) / a.steps
    return {"tokensPerSecond": a.batch_size * a.block_size / s, "msPerStep": s * 1000}


@torch.no_grad()
def generate(a):
    m = GPT(a.vocab_size, a.block_size, a.n_layer, a.n_head, a.n_embd).to(dev).eval()
    best = 0
    for _ in range(3):
        caches = [[None, None] for _ in m.h]
        logits, _ = m(torch.ones(a.batch_size, 1, dtype=torch.long, device=dev), caches=caches)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        pos = 1
        for _ in range(a.new_tokens):
            nxt = logits[:, -1].argmax(-1, keepdim=True)
            nxt.cpu()  # the ids go back to the host every step, as a server's would
            logits, _ = m(nxt, caches=caches, pos0=pos)
            pos += 1
        logits.cpu()
        best = max(best, a.batch_size * a.new_tokens / (time.perf_counter() - t0))
    return {"tokensPerSecond": best}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["gemm", "train", "generate"])
    p.add_argument("--sizes", default="1024,4096")
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    for k, d in [("n-layer", 4), ("n-head", 4), ("n-embd", 192), ("block-size", 128), ("batch-size", 64), ("vocab-size", 4096), ("steps", 20), ("new-tokens", 100)]:
        p.add_argument(f"--{k}", type=int, default=d)
    a = p.parse_args()
    torch.manual_seed(0)
    if a.mode == "gemm":
        r = gemm([int(s) for s in a.sizes.split(",")])
    elif a.mode == "train":
        r = train(a)
    else:
        r = generate(a)
    print(json.dumps(r))


if __name__ == "__main__":
    main()
