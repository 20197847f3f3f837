#!/usr/bin/env python3
"""A full-size Stable Diffusion 1.5 / 2.1 model folder with random weights, for memory and speed
measurements on real files (memory-mapped f16 weights, the loading path a user's checkpoint takes).
Not committed (≈ 2 GB in fp16). No weights are downloaded: every parameter is diffusers' /
transformers' own random initialisation under a fixed seed.

    <venv>/bin/python Scripts/full_size_pipeline.py /tmp/sd15-random --arch sd15 --variant fp16
    .build/release/diffuse bench pipeline --model /tmp/sd15-random --variant fp16 --precision f16 \
        --size 512 --batch 1 --steps 2

Writes OUT in the diffusers layout: model_index.json, scheduler/, tokenizer/ (the real CLIP vocabulary,
copied from Models/diffuse-shapes/tokenizer), text_encoder/, unet/, vae/ with the configs of
Fixtures/configs/<arch>/ and weights in `*.<variant>.safetensors` (fp16 or bf16) or f32 without --variant.
"""
import argparse
import json
import pathlib
import shutil

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent


def config(arch, name):
    data = json.loads((ROOT / "Fixtures" / "configs" / arch / f"{name}.json").read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--arch", choices=["sd15", "sd21"], default="sd15")
    parser.add_argument("--variant", choices=["fp16", "bf16"], default=None,
                        help="store weights in this dtype as *.<variant>.safetensors (default: f32, no variant)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from diffusers import AutoencoderKL, PNDMScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(args.seed)
    dtype = {None: torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[args.variant]
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    index = json.loads((ROOT / "Fixtures" / "configs" / args.arch / "model_index.json").read_text())
    index["safety_checker"] = [None, None]
    index["feature_extractor"] = [None, None]
    index["requires_safety_checker"] = False
    (out / "model_index.json").write_text(json.dumps(index, indent=2) + "\n")

    shutil.rmtree(out / "tokenizer", ignore_errors=True)
    shutil.copytree(ROOT / "Models" / "diffuse-shapes" / "tokenizer", out / "tokenizer")
    tokenizer_config = ROOT / "Fixtures" / "configs" / args.arch / "tokenizer_config.json"
    if tokenizer_config.exists():
        shutil.copy(tokenizer_config, out / "tokenizer" / "tokenizer_config.json")
    PNDMScheduler.from_config(config(args.arch, "scheduler")).save_pretrained(out / "scheduler")

    # One component at a time, so peak memory stays near the largest (the UNet: ≈ 3.4 GB in f32).
    text_config = CLIPTextConfig(**config(args.arch, "text_encoder"))
    for name, make in [("text_encoder", lambda: CLIPTextModel(text_config)),
                       ("vae", lambda: AutoencoderKL(**config(args.arch, "vae"))),
                       ("unet", lambda: UNet2DConditionModel(**config(args.arch, "unet")))]:
        model = make().to(dtype).eval()
        model.save_pretrained(out / name, variant=args.variant, safe_serialization=True)
        print(f"{name}: {sum(p.numel() for p in model.parameters()) / 1e6:.0f} M parameters ({dtype})")
        del model


if __name__ == "__main__":
    main()
