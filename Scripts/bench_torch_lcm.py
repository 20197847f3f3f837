#!/usr/bin/env python3
"""The PyTorch + diffusers side of the few-step row of docs/benchmarks.md (issue #17): one 512² image with
an LCM scheduler in 4 steps, guidance 1 (no unconditional pass), decoded by a tiny autoencoder, end to end
(prompt → PNG-ready pixels), timed after one warm-up run, 2 threads.

    <venv>/bin/python Scripts/bench_torch_lcm.py /tmp/sd15-random /tmp/taesd-random --variant fp16 --dtype bf16

MODEL: a diffusers SD 1.5 folder (Scripts/full_size_pipeline.py writes one with random weights); VAE: an
AutoencoderTiny folder. Prints one JSON line: seconds (median of --repeats), dtype, steps.
"""
import argparse
import json
import statistics
import time

import torch


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("vae")
    p.add_argument("--variant", default=None)
    p.add_argument("--dtype", default="f32", choices=["f32", "bf16"])
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    from diffusers import AutoencoderTiny, LCMScheduler, StableDiffusionPipeline

    torch.set_num_threads(args.threads)
    dtype = {"f32": torch.float32, "bf16": torch.bfloat16}[args.dtype]
    pipe = StableDiffusionPipeline.from_pretrained(args.model, variant=args.variant, torch_dtype=dtype,
                                                   safety_checker=None, requires_safety_checker=False)
    pipe.vae = AutoencoderTiny.from_pretrained(args.vae, torch_dtype=dtype)
    pipe.scheduler = LCMScheduler.from_config(pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)

    def run():
        with torch.no_grad():
            pipe("a photo of a cat", num_inference_steps=args.steps, guidance_scale=1.0, height=512, width=512,
                 generator=torch.Generator("cpu").manual_seed(1), output_type="np")

    run()
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    print(json.dumps({"source": "torch", "seconds": statistics.median(times), "dtype": args.dtype, "steps": args.steps}))


if __name__ == "__main__":
    main()
