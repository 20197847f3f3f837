"""Phase 1b (optional, runs beside phase 2): fine-tune the VAE decoder with the encoder frozen.

The UNet is trained on the frozen encoder's latents, so the decoder can keep improving meanwhile
without changing what the UNet learns: same encoder, same `scaling_factor`, sharper pictures.

    <venv>/bin/python Scripts/train_shapes/decoder.py --vae OUT/vae --out OUT/vae-decoder [--minutes 40]

Then `--into OUT/final` (or any saved pipeline) writes the result, in f16, as that pipeline's vae/.
"""
import argparse
import copy
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import AutoencoderKL

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vae", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--minutes", type=float, default=40, help="time budget (0: none)")
    ap.add_argument("--steps", type=int, default=100000, help="at most this many steps")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--into", help="only write OUT as the vae/ of this pipeline folder (f16)")
    args = ap.parse_args()
    if args.into:
        vae = AutoencoderKL.from_pretrained(args.out)
        copy.deepcopy(vae).to(torch.float16).save_pretrained(os.path.join(args.into, "vae"))
        print(f"wrote {args.into}/vae")
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    vae = AutoencoderKL.from_pretrained(args.vae)
    vae.requires_grad_(False)
    trained = list(vae.post_quant_conv.parameters()) + list(vae.decoder.parameters())
    for p in trained:
        p.requires_grad_(True)
    opt = torch.optim.AdamW(trained, lr=args.lr, weight_decay=0.0)
    sampler = data.Sampler(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "decoder.log"), "a", buffering=1)
    t0, avg = time.time(), None
    for step in range(args.steps):
        imgs, _ = sampler.batch(args.batch)
        x = torch.from_numpy(data.to_tensor_range(imgs))
        with torch.no_grad():
            z = vae.encode(x).latent_dist.sample()
        rec = vae.decode(z).sample
        l1, mse = F.l1_loss(rec, x), F.mse_loss(rec, x)
        loss = l1 + mse
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, 1.0)
        opt.step()
        v = np.array([l1.item(), mse.item()])
        avg = v if avg is None else 0.98 * avg + 0.02 * v
        done = step == args.steps - 1 or (args.minutes > 0 and time.time() - t0 > 60 * args.minutes)
        if step % 50 == 0 or done:
            log.write(f"[{time.time() - t0:6.0f}s] decoder step {step} l1 {avg[0]:.5f} mse {avg[1]:.5f}\n")
        if step % 500 == 499 or done:
            vae.save_pretrained(args.out)
            with open(os.path.join(args.out, "phase1b.json"), "w") as f:
                json.dump(dict(steps=step + 1, l1=float(avg[0]), mse=float(avg[1]), seconds=time.time() - t0), f)
        if done:
            break


if __name__ == "__main__":
    main()
