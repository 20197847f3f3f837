"""Train diffuse-shapes: a tiny Stable Diffusion (SD 1.5 architecture) on rendered shape scenes, CPU only.

    <venv>/bin/python Scripts/train_shapes/train.py --out /work/shapes-train/run \
        [--vae-steps N] [--unet-steps N] [--threads 2]

Phase 1 trains the AutoencoderKL on reconstruction (L1 + MSE + small KL), freezes it and sets
`scaling_factor` = 1 / std of the latents (as SD did). Phase 2 encodes a fixed, seeded set of scenes once
and trains the UNet and the CLIP text encoder jointly on DDPM noise prediction (SD 1.5 betas), with 10%
empty captions for classifier-free guidance and an EMA of the weights. Pipelines are saved (diffusers
layout, f16 safetensors) every --save-minutes under OUT/step-N and at the end under OUT/final.
Losses go to OUT/train.log. Everything is seeded; never run by CI.

Both phases stop at a step limit or a time budget (whichever comes first) and log how many steps they
ran; the learning rate is constant after warm-up, so `--vae-steps A --vae-minutes 0 --unet-steps B
--unet-minutes 0` with the logged A and B reproduces a time-budgeted run.
"""
import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPTextModel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
import models  # noqa: E402
from save import save_pipeline, tokenizer  # noqa: E402


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.t0 = time.time()

    def __call__(self, msg):
        line = f"[{time.time() - self.t0:7.0f}s] {msg}"
        print(line, flush=True)
        self.f.write(line + "\n")


def lr_at(step, peak, warmup):
    """Linear warm-up, then constant (the EMA of the weights does the averaging): the result depends only
    on the number of steps, so a time-budgeted run is reproduced exactly by its logged step counts."""
    return peak * min(1.0, (step + 1) / warmup)


def out_of_time(t_start, minutes):
    return minutes > 0 and time.time() - t_start > 60 * minutes


def train_vae(args, log):
    vae = models.vae()
    opt = torch.optim.AdamW(vae.parameters(), lr=args.vae_lr, weight_decay=0.0)
    sampler = data.Sampler(args.seed + 1)
    ema = None
    t_start = time.time()
    for step in range(args.vae_steps):
        imgs, _ = sampler.batch(args.vae_batch)
        x = torch.from_numpy(data.to_tensor_range(imgs))
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.vae_lr, 100)
        post = vae.encode(x).latent_dist
        z = post.sample()
        rec = vae.decode(z).sample
        l1, mse = F.l1_loss(rec, x), F.mse_loss(rec, x)
        kl = post.kl().mean()   # summed over the latent's 4×16×16, averaged over the batch
        loss = l1 + mse + args.kl_weight * kl
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), 1.0)
        opt.step()
        v = np.array([loss.item(), l1.item(), mse.item(), kl.item()])
        ema = v if ema is None else 0.98 * ema + 0.02 * v
        last = step == args.vae_steps - 1 or out_of_time(t_start, args.vae_minutes)
        if step % 25 == 0 or last:
            log(f"{(step + 1) / (time.time() - t_start):.2f} it/s vae step {step} loss {ema[0]:.5f} l1 {ema[1]:.5f} mse {ema[2]:.5f} kl {ema[3]:.1f}")
        if last:
            break
    log(f"vae trained for {step + 1} steps")
    vae.eval().requires_grad_(False)
    return vae, ema, step + 1


@torch.no_grad()
def encode_dataset(vae, n, seed, log):
    """A fixed, seeded set of scenes → (latent mean, latent std, records)."""
    sampler = data.Sampler(seed)
    means, stds, recs = [], [], []
    for i in range(0, n, 256):
        imgs, r = sampler.batch(min(256, n - i))
        post = vae.encode(torch.from_numpy(data.to_tensor_range(imgs))).latent_dist
        means.append(post.mean)
        stds.append(post.std)
        recs += r
    log(f"encoded {n} scenes")
    return torch.cat(means), torch.cat(stds), recs


def caption_ids(recs, rng, tok, cache, drop):
    """Token ids [n, 77]: one random caption wording per scene, '' with probability `drop`."""
    caps = []
    for q in recs:
        if rng.random() < drop:
            caps.append("")
            continue
        size_word = q["size"] if rng.random() < 0.5 else None
        caps.append(data.caption(q["shape"], q["fg"], q["bg"], size_word, swap_articles=rng.random() < 0.2))
    out = []
    for c in caps:
        if c not in cache:
            cache[c] = tok(c, padding="max_length", max_length=77, truncation=True,
                           return_tensors="pt").input_ids[0]
        out.append(cache[c])
    return torch.stack(out)


def train_unet(args, vae, log, out):
    te, un = models.text_encoder(), models.unet()
    if args.resume:  # continue from a saved pipeline's text encoder and UNet (f16 on disk → f32)
        te = CLIPTextModel.from_pretrained(os.path.join(args.resume, "text_encoder")).float()
        un = UNet2DConditionModel.from_pretrained(os.path.join(args.resume, "unet")).float()
        log(f"resumed text_encoder and unet from {args.resume}")
    te.train()
    un.train()
    tok = tokenizer()
    sched = models.train_scheduler()
    acp = sched.alphas_cumprod
    means, stds, recs = encode_dataset(vae, args.dataset, args.seed + 2, log)
    sf = float(vae.config.scaling_factor)
    params = list(te.parameters()) + list(un.parameters())
    opt = torch.optim.AdamW(params, lr=args.unet_lr, weight_decay=0.0)
    ema_te, ema_un = copy.deepcopy(te).requires_grad_(False), copy.deepcopy(un).requires_grad_(False)
    rng = np.random.default_rng(args.seed + 3)
    cache = {}
    avg = None
    t_start = t_saved = time.time()
    for step in range(args.unet_steps):
        idx = torch.from_numpy(rng.integers(0, len(recs), size=args.batch))
        g = torch.Generator().manual_seed(args.seed * 1_000_003 + step)
        z0 = (means[idx] + stds[idx] * torch.randn(means[idx].shape, generator=g)) * sf
        noise = torch.randn(z0.shape, generator=g)
        t = torch.randint(0, 1000, (args.batch,), generator=g)
        a = acp[t].view(-1, 1, 1, 1)
        zt = a.sqrt() * z0 + (1 - a).sqrt() * noise
        ids = caption_ids([recs[i] for i in idx.tolist()], rng, tok, cache, drop=0.1)
        for pg in opt.param_groups:
            pg["lr"] = lr_at(step, args.unet_lr, 200)
        cond = te(ids)[0]
        pred = un(zt, t, encoder_hidden_states=cond).sample
        # Per-sample weight clamp(1/SNR, 1, w_max): plain ε-loss where the noise is small; up to w_max
        # where it is large (1/SNR = (1-ᾱ)/ᾱ), the steps that decide colours and layout and whose
        # ε-loss barely depends on the prompt — without it the prompt is learned very slowly.
        w = ((1 - a) / a).clamp(1.0, args.snr_weight_max).view(-1)
        loss = (F.mse_loss(pred, noise, reduction="none").mean(dim=(1, 2, 3)) * w).sum() / w.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        decay = min(args.ema, (1 + step) / (10 + step))
        with torch.no_grad():
            for src, dst in ((te, ema_te), (un, ema_un)):
                for p, e in zip(src.parameters(), dst.parameters()):
                    e.lerp_(p, 1 - decay)
        avg = loss.item() if avg is None else 0.99 * avg + 0.01 * loss.item()
        last = step == args.unet_steps - 1 or out_of_time(t_start, args.unet_minutes)
        if step % 25 == 0 or last:
            rate = (step + 1) / (time.time() - t_start)
            log(f"unet step {step} loss {avg:.5f} lr {opt.param_groups[0]['lr']:.2e} {rate:.2f} it/s")
        if last:
            break
        if args.save_minutes and time.time() - t_saved > 60 * args.save_minutes:
            save_pipeline(os.path.join(out, f"step-{step + 1}"), ema_te, ema_un, vae)
            log(f"saved {out}/step-{step + 1}")
            t_saved = time.time()
    log(f"unet trained for {step + 1} steps")
    return ema_te, ema_un, avg, step + 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--vae-from", help="skip phase 1: load OUT/vae of an earlier run")
    ap.add_argument("--resume", help="phase 2 starts from this saved pipeline's text_encoder and unet")
    ap.add_argument("--snr-weight-max", type=float, default=1.0,
                    help="UNet loss weight clamp(1/SNR, 1, this); 1 = plain ε-prediction MSE")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--vae-steps", type=int, default=100000, help="at most this many VAE steps")
    ap.add_argument("--vae-minutes", type=float, default=12, help="VAE time budget (0: none)")
    ap.add_argument("--vae-batch", type=int, default=16)
    ap.add_argument("--vae-lr", type=float, default=1.5e-3)
    ap.add_argument("--kl-weight", type=float, default=1e-6)
    ap.add_argument("--dataset", type=int, default=8000)
    ap.add_argument("--unet-steps", type=int, default=100000, help="at most this many UNet steps")
    ap.add_argument("--unet-minutes", type=float, default=58, help="UNet time budget (0: none)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--unet-lr", type=float, default=1e-3)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--save-minutes", type=float, default=12, help="intermediate pipeline every N minutes")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log = Log(os.path.join(args.out, "train.log"))
    log(f"args {json.dumps(vars(args))} torch {torch.__version__}")
    log(f"params: text_encoder {models.count(models.text_encoder())} unet {models.count(models.unet())} "
        f"vae {models.count(models.vae())}")
    t0 = time.time()
    if args.vae_from:  # phase 1 done by an earlier run (its OUT/vae, float32, scaling_factor set)
        vae = AutoencoderKL.from_pretrained(args.vae_from).eval().requires_grad_(False)
        prev = json.load(open(os.path.join(args.vae_from, "phase1.json")))
        vae_losses, vae_steps = prev["losses"], prev["steps"]
        log(f"vae from {args.vae_from}: {prev}")
        train_unet_phase(args, vae, vae_losses, vae_steps, prev["seconds"], log)
        return
    vae, vae_losses, vae_steps = train_vae(args, log)
    with torch.no_grad():
        imgs, _ = data.Sampler(args.seed + 4).batch(1024)
        z = vae.encode(torch.from_numpy(data.to_tensor_range(imgs))).latent_dist.sample()
    vae.register_to_config(scaling_factor=round(1.0 / float(z.std()), 5))
    log(f"vae done in {time.time() - t0:.0f}s; latent std {float(z.std()):.4f} "
        f"→ scaling_factor {vae.config.scaling_factor}")
    vae.save_pretrained(os.path.join(args.out, "vae"))
    with open(os.path.join(args.out, "vae", "phase1.json"), "w") as f:
        json.dump(dict(losses=[float(v) for v in vae_losses], steps=vae_steps, seconds=time.time() - t0), f)
    train_unet_phase(args, vae, vae_losses, vae_steps, time.time() - t0, log)


def train_unet_phase(args, vae, vae_losses, vae_steps, vae_seconds, log):
    t1 = time.time()
    te, un, unet_loss, unet_steps = train_unet(args, vae, log, args.out)
    save_pipeline(os.path.join(args.out, "final"), te, un, vae)
    summary = dict(vae_loss=vae_losses[0], vae_l1=vae_losses[1], vae_mse=vae_losses[2], vae_kl=vae_losses[3],
                   unet_loss=unet_loss, vae_steps=vae_steps, unet_steps=unet_steps, vae_seconds=vae_seconds,
                   unet_seconds=time.time() - t1, total_seconds=vae_seconds + time.time() - t1, scaling_factor=vae.config.scaling_factor, args=vars(args))
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    log(f"done: {json.dumps(summary)}")


if __name__ == "__main__":
    main()
