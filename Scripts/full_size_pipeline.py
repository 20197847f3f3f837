#!/usr/bin/env python3
"""A full-size Stable Diffusion 1.5 / 2.1 / SDXL base model folder with random weights, for memory and speed
measurements on real files (memory-mapped f16 weights, the loading path a user's checkpoint takes).
Not committed (≈ 2 GB in fp16; SDXL ≈ 7 GB). No weights are downloaded: every parameter is diffusers' /
transformers' own random initialisation under a fixed seed.

    <venv>/bin/python Scripts/full_size_pipeline.py /tmp/sd15-random --arch sd15 --variant fp16
    .build/release/diffuse bench pipeline --model /tmp/sd15-random --variant fp16 --precision f16 \
        --size 512 --batch 1 --steps 2
    <venv>/bin/python Scripts/full_size_pipeline.py /tmp/sdxl-random --arch sdxl --variant fp16
    /usr/bin/time -v .build/release/diffuse generate --model /tmp/sdxl-random --variant fp16 --precision bf16 \
        --steps 2 --seed 1 --output /tmp/sdxl.png "a photo of a cat"      # 1024², "Maximum resident set size"

Writes OUT in the diffusers layout: model_index.json, scheduler/, tokenizer/ (the real CLIP vocabulary,
copied from Models/diffuse-shapes/tokenizer; SDXL also tokenizer_2/ padding with "!"), text_encoder/
(SDXL: + text_encoder_2/, a CLIPTextModelWithProjection), unet/, vae/ with the configs of
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
    parser.add_argument("--arch", choices=["sd15", "sd21", "sdxl"], default="sd15")
    parser.add_argument("--variant", choices=["fp16", "bf16"], default=None,
                        help="store weights in this dtype as *.<variant>.safetensors (default: f32, no variant)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import diffusers
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(args.seed)
    dtype = {None: torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[args.variant]
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    index = json.loads((ROOT / "Fixtures" / "configs" / args.arch / "model_index.json").read_text())
    index["safety_checker"] = [None, None]
    index["feature_extractor"] = [None, None]
    index["requires_safety_checker"] = False
    (out / "model_index.json").write_text(json.dumps(index, indent=2) + "\n")

    sdxl = args.arch == "sdxl"
    for folder, name in [("tokenizer", "tokenizer_config.json")] + ([("tokenizer_2", "tokenizer_2_config.json")] if sdxl else []):
        shutil.rmtree(out / folder, ignore_errors=True)
        shutil.copytree(ROOT / "Models" / "diffuse-shapes" / "tokenizer", out / folder)
        tokenizer_config = ROOT / "Fixtures" / "configs" / args.arch / name
        if tokenizer_config.exists():
            shutil.copy(tokenizer_config, out / folder / "tokenizer_config.json")
    scheduler = json.loads((ROOT / "Fixtures" / "configs" / args.arch / "scheduler.json").read_text())
    scheduler_class = getattr(diffusers, scheduler.get("_class_name", "PNDMScheduler"))
    scheduler_class.from_config(config(args.arch, "scheduler")).save_pretrained(out / "scheduler")

    # One component at a time, built directly in the stored dtype, so peak memory stays near the largest
    # (the UNet: ≈ 3.4 GB in f32 for SD 1.5, 5.1 GB in fp16 for SDXL).
    text_config = CLIPTextConfig(**config(args.arch, "text_encoder"))
    parts = [("text_encoder", lambda: CLIPTextModel(text_config))]
    if sdxl:
        parts.append(("text_encoder_2", lambda: CLIPTextModelWithProjection(CLIPTextConfig(**config(args.arch, "text_encoder_2")))))
    parts += [("vae", lambda: AutoencoderKL(**config(args.arch, "vae"))),
              ("unet", lambda: UNet2DConditionModel(**config(args.arch, "unet")))]
    for name, make in parts:
        torch.set_default_dtype(dtype)
        model = make().to(dtype).eval()
        torch.set_default_dtype(torch.float32)
        model.save_pretrained(out / name, variant=args.variant, safe_serialization=True)
        print(f"{name}: {sum(p.numel() for p in model.parameters()) / 1e6:.0f} M parameters ({dtype})")
        del model


if __name__ == "__main__":
    main()
