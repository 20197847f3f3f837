#!/usr/bin/env python3
"""Full-size SD 1.5 UNet check data (issue 3, item 7): random weights, not committed (3.4 GB).

    <venv>/bin/python Scripts/full_size_unet.py /tmp/diffuse-full-size
    DIFFUSE_FULL_SIZE=/tmp/diffuse-full-size swift test --filter UNetFullSize

    # any other UNet config the same way, e.g. the built-in small variant (3 blocks, per-block
    # layers_per_block, transformer depth 2, linear projections, flip_sin_to_cos false, freq_shift 1,
    # 9 input channels, downsample_padding 0) at 8×8 latents:
    <venv>/bin/python Scripts/full_size_unet.py /tmp/unet-variant --config variant --latent-size 8
    DIFFUSE_FULL_SIZE=/tmp/unet-variant swift test --filter UNetFullSize

Writes into OUT:
  unet/config.json, unet/diffusion_pytorch_model.safetensors
      diffusers UNet2DConditionModel with Fixtures/configs/sd15/unet.json (the real SD 1.5 config; or --config),
      float32, every parameter re-drawn by Scripts/fixtures/pipelines.py:randomise (seed 102), as the
      tiny fixtures are (≈ 860 M parameters, 3.44 GB).
  reference.safetensors (float32)
      unet.sample                [2, 4, 64, 64]   randn([1,4,64,64], seed 1) repeated (CFG batch; --latent-size)
      unet.timestep              []  i64          981
      unet.encoder_hidden_states [2, 77, 768]     randn(seed 2)
      unet.noise_pred            [2, 4, 64, 64]   unet(sample, timestep, encoder_hidden_states).sample
      unet.intermediate.<name>                    time_embedding, conv_in, down_blocks.<i>, mid_block,
                                                  up_blocks.<i>, conv_act (first element of tuples)

float32 on the CPU with deterministic algorithms and torch's default thread count (≈ 1 min on 2 cores,
peak ≈ 8 GB of RAM); the Swift test compares with tolerances, never bit-exact.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
from diffusers import UNet2DConditionModel  # noqa: E402

from fixtures.common import gen, save_safetensors  # noqa: E402
from fixtures.pipelines import randomise, SEEDS  # noqa: E402
from fixtures.reference import capture, TIMESTEP  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A small UNet exercising the config options SD 1.5 / 2.1 leave at one value (`--config variant`).
VARIANT = {
    "sample_size": 8, "in_channels": 9, "out_channels": 4, "flip_sin_to_cos": False, "freq_shift": 1,
    "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
    "block_out_channels": [32, 48, 64], "layers_per_block": [1, 2, 1], "downsample_padding": 0,
    "norm_num_groups": 8, "norm_eps": 1e-6, "cross_attention_dim": 24, "transformer_layers_per_block": 2,
    "attention_head_dim": [2, 4, 4], "use_linear_projection": True, "upcast_attention": False,
}


def names(blocks: int) -> list:
    return ["time_embedding", "conv_in"] + [f"down_blocks.{i}" for i in range(blocks)] + ["mid_block"] \
        + [f"up_blocks.{i}" for i in range(blocks)] + ["conv_act"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="output folder (created)")
    parser.add_argument("--config", default=os.path.join(ROOT, "Fixtures/configs/sd15/unet.json"),
                        help="a diffusers unet/config.json (default: SD 1.5), or `variant` (see VARIANT)")
    parser.add_argument("--latent-size", type=int, default=64, help="latent height = width (default 64)")
    args = parser.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_default_dtype(torch.float32)

    if args.config == "variant":
        config = dict(VARIANT)
    else:
        with open(args.config) as f:
            config = {k: v for k, v in json.load(f).items() if not k.startswith("_")}
    start = time.time()
    unet = UNet2DConditionModel(**config).eval()
    randomise(unet, SEEDS["unet"])
    unet.save_pretrained(os.path.join(args.out, "unet"), safe_serialization=True)
    print(f"saved weights ({sum(p.numel() for p in unet.parameters()) / 1e6:.0f} M parameters) "
          f"in {time.time() - start:.0f} s")

    with torch.no_grad():
        size = args.latent_size
        sample = torch.randn([1, unet.config.in_channels, size, size], generator=gen(1)).repeat(2, 1, 1, 1)
        text = torch.randn([2, 77, config["cross_attention_dim"]], generator=gen(2))
        t = torch.tensor(TIMESTEP, dtype=torch.int64)
        inter, hooks = capture(unet, names(len(unet.config.down_block_types)))
        start = time.time()
        pred = unet(sample, t, encoder_hidden_states=text).sample
        print(f"forward in {time.time() - start:.0f} s; noise_pred std {pred.std():.3f}, max |x| {pred.abs().max():.3f}")
        for h in hooks:
            h.remove()
    tensors = {"unet.sample": sample, "unet.timestep": t, "unet.encoder_hidden_states": text, "unet.noise_pred": pred}
    tensors.update({f"unet.intermediate.{n}": v for n, v in inter.items()})
    meta = {"unet": json.dumps({"config": args.config if args.config == "variant" else os.path.relpath(args.config, ROOT), "weights_seed": SEEDS["unet"],
                                "timestep": TIMESTEP, "sample_seed": 1, "text_seed": 2,
                                "torch": torch.__version__, "threads": torch.get_num_threads()})}
    save_safetensors(tensors, os.path.join(args.out, "reference.safetensors"), meta)
    print(f"wrote {args.out}/unet and {args.out}/reference.safetensors")


if __name__ == "__main__":
    main()
