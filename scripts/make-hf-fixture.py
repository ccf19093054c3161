#!/usr/bin/python3
"""Reference for src/llm/hf.test.ts: a small random GPT-2 in Hugging Face's layout and its logits.

Run with Debian's python3-torch: /usr/bin/python3 scripts/make-hf-fixture.py
Writes src/io/fixtures/hf-gpt2-tiny/ (config.json, model.safetensors, tokenizer.json) and
src/io/fixtures/hf-gpt2-tiny-logits.json. The forward pass is GPT-2's as transformers computes it:
Conv1D layers (x @ W + b with W stored (in, out)), tanh GELU, tied LM head. The safetensors file
is written by hand from the format's spec (Debian has no python3-safetensors).
"""
import json
import math
import shutil
import struct
import torch

torch.manual_seed(0)
OUT = "src/io/fixtures/hf-gpt2-tiny"
shutil.copy("src/text/fixtures/hf-gpt2-small-legacy.json", f"{OUT}/tokenizer.json")
V = len(json.load(open(f"{OUT}/tokenizer.json"))["model"]["vocab"]) + 1  # + <|endoftext|>
T, C, H, L = 32, 16, 2, 2
D = C // H

W = {"transformer.wte.weight": torch.randn(V, C) * 0.1, "transformer.wpe.weight": torch.randn(T, C) * 0.1}
for i in range(L):
    p = f"transformer.h.{i}."
    W[p + "ln_1.weight"] = 1 + torch.randn(C) * 0.1
    W[p + "ln_1.bias"] = torch.randn(C) * 0.1
    W[p + "attn.c_attn.weight"] = torch.randn(C, 3 * C) * 0.2  # Conv1D: (in, out)
    W[p + "attn.c_attn.bias"] = torch.randn(3 * C) * 0.1
    W[p + "attn.c_proj.weight"] = torch.randn(C, C) * 0.2
    W[p + "attn.c_proj.bias"] = torch.randn(C) * 0.1
    W[p + "ln_2.weight"] = 1 + torch.randn(C) * 0.1
    W[p + "ln_2.bias"] = torch.randn(C) * 0.1
    W[p + "mlp.c_fc.weight"] = torch.randn(C, 4 * C) * 0.2
    W[p + "mlp.c_fc.bias"] = torch.randn(4 * C) * 0.1
    W[p + "mlp.c_proj.weight"] = torch.randn(4 * C, C) * 0.2
    W[p + "mlp.c_proj.bias"] = torch.randn(C) * 0.1
W["transformer.ln_f.weight"] = 1 + torch.randn(C) * 0.1
W["transformer.ln_f.bias"] = torch.randn(C) * 0.1
W = {k: v.float().contiguous() for k, v in W.items()}

# safetensors by hand: 8-byte little-endian header size, JSON header, raw little-endian data.
header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
for name in sorted(W):
    data = W[name].numpy().tobytes()
    header[name] = {"dtype": "F32", "shape": list(W[name].shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
hjson = json.dumps(header, separators=(",", ":")).encode()
hjson += b" " * ((8 - len(hjson) % 8) % 8)
with open(f"{OUT}/model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(hjson)) + hjson + b"".join(blobs))

config = {
    "model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": V, "n_positions": T, "n_ctx": T,
    "n_embd": C, "n_layer": L, "n_head": H, "n_inner": None, "activation_function": "gelu_new",
    "layer_norm_epsilon": 1e-5, "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1,
    "initializer_range": 0.02, "bos_token_id": V - 1, "eos_token_id": V - 1, "tie_word_embeddings": True,
}
json.dump(config, open(f"{OUT}/config.json", "w"), indent=2)

F = torch.nn.functional
idx = torch.tensor([[5, 17, 300, 2, 999, 42, 7, 7, 123, 1000]])
with torch.no_grad():
    Wd = {k: v.double() for k, v in W.items()}
    Tn = idx.shape[1]
    x = Wd["transformer.wte.weight"][idx] + Wd["transformer.wpe.weight"][:Tn]
    for i in range(L):
        p = f"transformer.h.{i}."
        h = F.layer_norm(x, (C,), Wd[p + "ln_1.weight"], Wd[p + "ln_1.bias"], 1e-5)
        qkv = h @ Wd[p + "attn.c_attn.weight"] + Wd[p + "attn.c_attn.bias"]
        q, k, v = (t.view(1, Tn, H, D).transpose(1, 2) for t in qkv.split(C, dim=2))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(D)
        att = att.masked_fill(~torch.tril(torch.ones(Tn, Tn, dtype=torch.bool)), float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(1, Tn, C)
        x = x + y @ Wd[p + "attn.c_proj.weight"] + Wd[p + "attn.c_proj.bias"]
        h = F.layer_norm(x, (C,), Wd[p + "ln_2.weight"], Wd[p + "ln_2.bias"], 1e-5)
        m = F.gelu(h @ Wd[p + "mlp.c_fc.weight"] + Wd[p + "mlp.c_fc.bias"], approximate="tanh")
        x = x + m @ Wd[p + "mlp.c_proj.weight"] + Wd[p + "mlp.c_proj.bias"]
    x = F.layer_norm(x, (C,), Wd["transformer.ln_f.weight"], Wd["transformer.ln_f.bias"], 1e-5)
    logits = x @ Wd["transformer.wte.weight"].T
json.dump({"idx": idx.tolist(), "logits": logits.flatten().tolist(), "torch": torch.__version__},
          open("src/io/fixtures/hf-gpt2-tiny-logits.json", "w"))
print("vocab", V, "logits", tuple(logits.shape))
