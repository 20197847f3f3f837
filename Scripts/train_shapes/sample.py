"""Check a saved diffuse-shapes folder with diffusers: load it with StableDiffusionPipeline.from_pretrained,
generate a grid of prompts and report how often the foreground / background colours match the prompt
(same pixel rule as the Swift test: background = the border pixels' nearest named colour, foreground =
the nearest named colour of the pixels far from it).

    <venv>/bin/python Scripts/train_shapes/sample.py MODEL_DIR [--steps 25] [--guidance 7.5] [--png grid.png]
"""
import argparse
import os
import sys

import numpy as np
import torch
from diffusers import StableDiffusionPipeline
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402

PALETTE = np.array(list(data.COLOURS.values()), dtype=np.float32)


def nearest(rgb: np.ndarray) -> str:
    return data.COLOUR_NAMES[int(np.argmin(((PALETTE - rgb) ** 2).sum(-1)))]


def classify(img: np.ndarray):
    """uint8 [64,64,3] → (foreground name or None, background name)."""
    x = img.astype(np.float32)
    border = np.concatenate([x[0], x[-1], x[:, 0], x[:, -1]])
    bg = nearest(np.median(border, axis=0))
    far = np.sqrt(((x - PALETTE[data.COLOUR_NAMES.index(bg)]) ** 2).sum(-1)) > 100
    if far.sum() < 10:
        return None, bg
    names = [nearest(p) for p in x[far]]
    return max(set(names), key=names.count), bg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--guidance", type=float, default=7.5)
    ap.add_argument("--png")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    pipe = StableDiffusionPipeline.from_pretrained(args.model, torch_dtype=torch.float32, safety_checker=None,
                                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    cases = []
    for i, fg in enumerate(data.COLOUR_NAMES):
        for j, shape in enumerate(("circle", "square", "star")):
            bg = data.COLOUR_NAMES[(i + 1 + 2 * j) % len(data.COLOUR_NAMES)]
            cases.append((shape, fg, bg))
    prompts = [data.caption(s, f, b, None) for s, f, b in cases]
    out = pipe(prompts, num_inference_steps=args.steps, guidance_scale=args.guidance, output_type="np",
               generator=torch.Generator().manual_seed(0)).images
    imgs = (out * 255).round().clip(0, 255).astype(np.uint8)
    ok_fg = ok_bg = 0
    for (shape, fg, bg), p, im in zip(cases, prompts, imgs):
        f, b = classify(im)
        ok_fg += f == fg
        ok_bg += b == bg
        if f != fg or b != bg:
            print(f"miss: {p!r} → fg {f} bg {b}")
    print(f"foreground {ok_fg}/{len(cases)}, background {ok_bg}/{len(cases)}")
    if args.png:
        rows = [np.concatenate(list(imgs[r * 6:(r + 1) * 6]), 1) for r in range(len(imgs) // 6)]
        Image.fromarray(np.concatenate(rows, 0)).save(args.png)


if __name__ == "__main__":
    main()
