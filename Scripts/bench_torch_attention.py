#!/usr/bin/env python3
"""PyTorch baseline for `diffuse bench attention`: times torch's CPU attention on the same shapes.

Run by `diffuse bench attention --torch` itself (so both are measured in the same run), or by hand:
    python Scripts/bench_torch_attention.py --threads 2 --shapes 2x8x4096x4096x40
Prints one JSON object per line with the fields of `diffuse bench attention --json`: backend
("torch-sdpa" = F.scaled_dot_product_attention, "torch-vanilla" = baddbmm + softmax + bmm as diffusers'
AttnProcessor), q_len, kv_len, head_dim, dtype, seconds (median), gflops. Needs torch.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


def timed(fn, repeats):
    fn()  # warm-up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dtype", default="f32", choices=["f32", "bf16", "f16"])
    parser.add_argument("--shapes", nargs="+", required=True, help="BxHxLqxLkvxD")
    parser.add_argument("--vanilla", action="store_true", help="also time baddbmm + softmax + bmm")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    dtype = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}[args.dtype]
    g = torch.Generator().manual_seed(0)
    for shape in args.shapes:
        b, h, lq, lkv, d = (int(x) for x in shape.split("x"))
        q = torch.randn(b, h, lq, d, generator=g).to(dtype)
        k = torch.randn(b, h, lkv, d, generator=g).to(dtype)
        v = torch.randn(b, h, lkv, d, generator=g).to(dtype)
        flops = 4.0 * b * h * lq * lkv * d
        runs = [("torch-sdpa", lambda: F.scaled_dot_product_attention(q, k, v))]
        if args.vanilla:
            def vanilla():
                qf, kf, vf = q.reshape(b * h, lq, d), k.reshape(b * h, lkv, d), v.reshape(b * h, lkv, d)
                scores = torch.baddbmm(torch.empty(b * h, lq, lkv, dtype=dtype), qf, kf.transpose(1, 2),
                                       beta=0, alpha=d ** -0.5)
                return torch.bmm(scores.softmax(dim=-1), vf)
            runs.append(("torch-vanilla", vanilla))
        with torch.inference_mode():
            for name, fn in runs:
                seconds = timed(fn, args.repeats)
                print(json.dumps({"source": "torch", "backend": name, "batch": b, "heads": h, "q_len": lq,
                                  "kv_len": lkv, "head_dim": d, "dtype": args.dtype, "threads": args.threads,
                                  "seconds": seconds, "gflops": flops / seconds / 1e9, "extra_bytes": None}),
                      flush=True)


if __name__ == "__main__":
    main()
