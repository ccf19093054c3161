#!/usr/bin/python3
"""Reference for src/llm/gpt.test.ts: a 1-layer GPT-2 in PyTorch (float64), its loss, logits and gradients.

Run with Debian's python3-torch: /usr/bin/python3 scripts/make-gpt-fixture.py
Writes src/llm/fixtures/gpt-1layer.json. Weights use torch.nn.Linear's (out, in) layout, as moxing does.
"""
import json
import math
import torch

torch.manual_seed(0)
V, T, C, H, L = 16, 8, 8, 2, 1
D = C // H


def p(*shape, scale=0.3):
    return (torch.randn(*shape, dtype=torch.float64) * scale).requires_grad_()


W = {
    "transformer.wte.weight": p(V, C),
    "transformer.wpe.weight": p(T, C),
    "transformer.h.0.ln_1.weight": (1 + p(C, scale=0.1)).detach().requires_grad_(),
    "transformer.h.0.ln_1.bias": p(C, scale=0.1),
    "transformer.h.0.attn.c_attn.weight": p(3 * C, C),
    "transformer.h.0.attn.c_attn.bias": p(3 * C, scale=0.1),
    "transformer.h.0.attn.c_proj.weight": p(C, C),
    "transformer.h.0.attn.c_proj.bias": p(C, scale=0.1),
    "transformer.h.0.ln_2.weight": (1 + p(C, scale=0.1)).detach().requires_grad_(),
    "transformer.h.0.ln_2.bias": p(C, scale=0.1),
    "transformer.h.0.mlp.c_fc.weight": p(4 * C, C),
    "transformer.h.0.mlp.c_fc.bias": p(4 * C, scale=0.1),
    "transformer.h.0.mlp.c_proj.weight": p(C, 4 * C),
    "transformer.h.0.mlp.c_proj.bias": p(C, scale=0.1),
    "transformer.ln_f.weight": (1 + p(C, scale=0.1)).detach().requires_grad_(),
    "transformer.ln_f.bias": p(C, scale=0.1),
}

idx = torch.randint(0, V, (2, 6))
targets = torch.randint(0, V, (2, 6))
targets[1, 2] = -1  # ignored position

F = torch.nn.functional
pre = "transformer.h.0."
B, Tn = idx.shape
x = W["transformer.wte.weight"][idx] + W["transformer.wpe.weight"][torch.arange(Tn)]
h = F.layer_norm(x, (C,), W[pre + "ln_1.weight"], W[pre + "ln_1.bias"], 1e-5)
qkv = F.linear(h, W[pre + "attn.c_attn.weight"], W[pre + "attn.c_attn.bias"])
q, k, v = qkv.split(C, dim=2)
q, k, v = (t.view(B, Tn, H, D).transpose(1, 2) for t in (q, k, v))
att = (q @ k.transpose(-2, -1)) / math.sqrt(D)
mask = torch.tril(torch.ones(Tn, Tn, dtype=torch.bool))
att = att.masked_fill(~mask, float("-inf")).softmax(-1)
y = (att @ v).transpose(1, 2).contiguous().view(B, Tn, C)
x = x + F.linear(y, W[pre + "attn.c_proj.weight"], W[pre + "attn.c_proj.bias"])
h = F.layer_norm(x, (C,), W[pre + "ln_2.weight"], W[pre + "ln_2.bias"], 1e-5)
m = F.gelu(F.linear(h, W[pre + "mlp.c_fc.weight"], W[pre + "mlp.c_fc.bias"]), approximate="tanh")
x = x + F.linear(m, W[pre + "mlp.c_proj.weight"], W[pre + "mlp.c_proj.bias"])
x = F.layer_norm(x, (C,), W["transformer.ln_f.weight"], W["transformer.ln_f.bias"], 1e-5)
logits = x @ W["transformer.wte.weight"].T
loss = F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1)
loss.backward()

out = {
    "config": {"vocabSize": V, "blockSize": T, "nLayer": L, "nHead": H, "nEmbd": C, "dropout": 0, "bias": True},
    "idx": idx.tolist(),
    "targets": targets.tolist(),
    "weights": {k: {"shape": list(t.shape), "data": t.detach().flatten().tolist()} for k, t in W.items()},
    "logits": logits.detach().flatten().tolist(),
    "loss": loss.item(),
    "grads": {k: t.grad.flatten().tolist() for k, t in W.items()},
    "torch": torch.__version__,
}
with open("src/llm/fixtures/gpt-1layer.json", "w") as f:
    json.dump(out, f)
print("loss", loss.item())
