"""docs/diffuse-shapes.png for the README: eight prompts drawn by `diffuse generate` (the default model,
its own scheduler and defaults), side by side, each 64×64 shown at 2× (nearest neighbour).

    <venv>/bin/python Scripts/train_shapes/readme_picture.py [--binary .build/release/diffuse]
"""
import argparse
import os
import subprocess
import tempfile

import numpy as np
from PIL import Image

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PROMPTS = [
    "a red circle on a blue background",
    "a yellow star on a purple background",
    "a large white square on a black background",
    "a green triangle on an orange background",
    "a small blue circle on a yellow background",
    "an orange diamond on a white background",
    "a black star on a green background",
    "a purple square on a red background",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(REPO, ".build", "release", "diffuse"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(REPO, "docs", "diffuse-shapes.png"))
    args = ap.parse_args()
    tiles = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, prompt in enumerate(PROMPTS):
            path = os.path.join(tmp, f"{i}.png")
            subprocess.run([args.binary, "generate", "--quiet", "--seed", str(args.seed), "--output", path, prompt],
                           check=True)
            tiles.append(np.asarray(Image.open(path).convert("RGB")))
    strip = Image.fromarray(np.concatenate(tiles, axis=1))
    strip = strip.resize((strip.width * 2, strip.height * 2), Image.NEAREST)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    strip.save(args.out, optimize=True)
    print("\n".join(f"{i + 1}. {p}" for i, p in enumerate(PROMPTS)))


if __name__ == "__main__":
    main()
