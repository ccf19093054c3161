#!/usr/bin/python3
"""Reference GEMM figures for `npm run bench`: numpy (Debian python3-numpy, OpenBLAS) and PyTorch
(python3-torch) where installed. Prints one JSON object per line, in the shape of
`moxing bench matmul --json`: {"bench":"matmul","backend":"numpy","n":1024,"threads":1,"gflops":...}.

Run with Debian's python: /usr/bin/python3 bench/matmul_ref.py [--sizes 256,512] [--threads 1,2]
"""
import argparse
import json
import sys
import time


def best_seconds(fn, min_seconds):
    fn()  # warm-up: thread pools, page faults
    best = float("inf")
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        if time.perf_counter() - start >= min_seconds:
            return best


def emit(backend, n, threads, seconds):
    gflops = round(2 * n**3 / seconds / 1e8) / 10
    print(json.dumps({"bench": "matmul", "backend": backend, "n": n, "threads": threads, "gflops": gflops},
                     separators=(",", ":")), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="256,512,1024,2048")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--min-seconds", type=float, default=0.5)
    ap.add_argument("--cpu", type=int, default=0,
                    help="also print GFLOP per CPU-second of all threads at this n (robust to other load)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    threads = [int(t) for t in args.threads.split(",")]

    try:
        import numpy as np
        from threadpoolctl import threadpool_info, threadpool_limits
        blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if blas:
            info = blas[0]
            print(f"# numpy {np.__version__}: {info.get('internal_api')} {info.get('version')} "
                  f"{info.get('architecture')} {info.get('filepath')}", file=sys.stderr)
        rng = np.random.default_rng(0)
        for n in sizes:
            a = rng.standard_normal((n, n), dtype=np.float32)
            b = rng.standard_normal((n, n), dtype=np.float32)
            out = np.empty((n, n), dtype=np.float32)
            for t in threads:
                with threadpool_limits(limits=t, user_api="blas"):
                    emit("numpy", n, t, best_seconds(lambda: np.matmul(a, b, out=out), args.min_seconds))
                    if n == args.cpu:
                        np.matmul(a, b, out=out)
                        c0 = time.process_time()
                        for _ in range(10):
                            np.matmul(a, b, out=out)
                        cpu = time.process_time() - c0
                        print(json.dumps({"bench": "matmul-cpu", "backend": "numpy", "n": n, "threads": t,
                                          "gflopsPerCpuSecond": round(2 * n**3 * 10 / cpu / 1e8) / 10},
                                         separators=(",", ":")), flush=True)
    except ImportError as e:
        print(f"# numpy not available: {e}", file=sys.stderr)

    try:
        import torch
        print(f"# torch {torch.__version__}", file=sys.stderr)
        torch.manual_seed(0)
        for n in sizes:
            a = torch.randn(n, n)
            b = torch.randn(n, n)
            out = torch.empty(n, n)
            for t in threads:
                torch.set_num_threads(t)
                emit("torch", n, t, best_seconds(lambda: torch.matmul(a, b, out=out), args.min_seconds))
    except ImportError as e:
        print(f"# torch not available: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
