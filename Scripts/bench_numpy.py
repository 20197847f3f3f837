#!/usr/bin/env python3
"""numpy (OpenBLAS) baseline for `diffuse bench ops`: times float32 matmul of size³.

Run by `diffuse bench ops` itself, once per thread count, with OPENBLAS_NUM_THREADS set, so that numpy
and Diffuse are measured in the same run on the same machine. Prints one JSON object per line with the
fields of `diffuse bench ops --json`. Only numpy is needed (threadpoolctl, if present, is used to report
which OpenBLAS kernel runs).
"""
import argparse
import json
import statistics
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    n = args.size
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    c = np.empty((n, n), dtype=np.float32)
    np.matmul(a, b, out=c)  # warm-up
    samples = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        np.matmul(a, b, out=c)
        samples.append(time.perf_counter() - start)

    backend = "openblas"
    try:
        from threadpoolctl import threadpool_info
        info = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if info:
            backend = f"{info[0].get('internal_api')}-{info[0].get('architecture')}"
    except ImportError:
        pass
    print(json.dumps({"source": "numpy", "op": "gemm", "shape": f"{n}x{n}x{n}", "dtype": "f32",
                      "threads": args.threads, "seconds": statistics.median(samples),
                      "flops": 2.0 * n * n * n, "blas": backend}))


if __name__ == "__main__":
    main()
