#!/usr/bin/env python3
"""PyTorch + diffusers side of `diffuse bench unet|vae|text-encoder|pipeline` (issue #6): the same grid,
the same JSON fields, so `diffuse bench … --compare FILE` (or `--torch`, which runs this script in the
same run) can print Diffuse / PyTorch per cell.

    <venv>/bin/python Scripts/bench_torch_models.py unet --arch sd15 --size 512 --batch 1 2 4 \
        --attention vanilla sdpa --precision f32 bf16 [--compile] > torch.jsonl
    swift run -c release diffuse bench unet --arch sd15 --size 512 --batch 1 2 4 --compare torch.jsonl

Models: diffusers UNet2DConditionModel / AutoencoderKL and transformers CLIPTextModel built from the real
configs in Fixtures/configs/<arch>/ (the ones `diffuse bench --arch` builds), weights from the modules'
default init under torch.manual_seed(seed) — speed does not depend on the values; or `--model DIR`
(a diffusers folder, from_pretrained). Attention: "vanilla" = diffusers' AttnProcessor (baddbmm, softmax,
bmm) / transformers' eager attention; "sdpa" = AttnProcessor2_0 (F.scaled_dot_product_attention) /
transformers' sdpa. Precision: the whole model and its inputs in that dtype (PyTorch's usual meaning;
Diffuse keeps activations f32 and rounds only weights — see Precision.swift). `--compile`: torch.compile
of the model; a failure gives status "error" with the reason. Peak RSS: VmHWM after resetting it through
/proc/self/clear_refs before each cell. Cells whose predicted peak (same formula as Diffuse's
MemoryModel, Sources/DiffusePipeline/Memory/MemoryModel.swift) exceeds --memory-limit are "oom" without running. 2 threads by default.
One JSON object per line: source ("torch"), arch, component, width, height, batch, attention, precision,
compiled, threads, status (ok | oom | error), reason, seconds_per_step (median), images_per_second,
peak_rss_bytes, peak_tensor_bytes (null), predicted_bytes, speedup_vs_vanilla.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}


def read_config(arch, name):
    with open(os.path.join(ROOT, "Fixtures", "configs", arch, name + ".json")) as f:
        return {k: v for k, v in json.load(f).items() if not k.startswith("_")}


def build(component, args):
    """(unet, vae, text_encoder) — only those the component needs; f32, eval mode."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel
    torch.manual_seed(args.seed)
    need_unet = component in ("unet", "pipeline")
    need_vae = component in ("vae", "pipeline")
    need_text = component in ("text-encoder", "pipeline")
    if args.model:
        unet = UNet2DConditionModel.from_pretrained(args.model, subfolder="unet") if need_unet else None
        vae = AutoencoderKL.from_pretrained(args.model, subfolder="vae") if need_vae else None
        text = CLIPTextModel.from_pretrained(args.model, subfolder="text_encoder") if need_text else None
    else:
        unet = UNet2DConditionModel(**read_config(args.arch, "unet")) if need_unet else None
        vae = AutoencoderKL(**read_config(args.arch, "vae")) if need_vae else None
        text = CLIPTextModel(CLIPTextConfig(**read_config(args.arch, "text_encoder"))) if need_text else None
    return tuple(m.eval() if m is not None else None for m in (unet, vae, text))


def set_attention(models, kind):
    from diffusers.models.attention_processor import AttnProcessor, AttnProcessor2_0
    unet, vae, text = models
    for m in (unet, vae):
        if m is not None:
            m.set_attn_processor(AttnProcessor() if kind == "vanilla" else AttnProcessor2_0())
    if text is not None:
        text.config._attn_implementation = "eager" if kind == "vanilla" else "sdpa"
        if hasattr(text, "set_attn_implementation"):
            text.set_attn_implementation("eager" if kind == "vanilla" else "sdpa")


def predicted_bytes(component, w, h, batch, kind, configs, weight_bytes):
    """Diffuse's MemoryModel (Sources/DiffusePipeline/Memory/MemoryModel.swift): weights + activations of the largest stage."""
    unet_cfg, vae_cfg, text_cfg = configs
    f = 2 ** (len(vae_cfg.get("block_out_channels", [0, 0, 0, 0])) - 1)

    def scores(b, heads, q, k):
        full = 2 * 4 * b * heads * q * k
        return full if kind == "vanilla" else min(full, 512 << 10)

    def unet_bytes(b):
        tokens = (w // f) * (h // f)
        heads = unet_cfg.get("attention_head_dim", 8)
        heads = heads[0] if isinstance(heads, list) else heads
        return 4 * b * tokens * 30 * unet_cfg.get("block_out_channels", [320])[0] + scores(b, heads, tokens, tokens)

    def vae_bytes(b):
        tokens = (w // f) * (h // f)
        return 4 * b * w * h * 4 * vae_cfg["block_out_channels"][1] + scores(b, 1, tokens, tokens)

    def text_bytes(b):
        n = text_cfg["max_position_embeddings"]
        return 4 * b * n * 8 * text_cfg["hidden_size"] + scores(b, text_cfg["num_attention_heads"], n, n)

    act = {"unet": lambda: unet_bytes(batch), "vae": lambda: vae_bytes(batch), "text-encoder": lambda: text_bytes(batch),
           "pipeline": lambda: max(text_bytes(2 * batch), unet_bytes(2 * batch), vae_bytes(batch))}[component]()
    return weight_bytes + act


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def status_field(name, path="/proc/self/status"):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def make_call(component, models, w, h, batch, dtype, steps, configs, compile_):
    unet, vae, text = models
    unet_cfg, vae_cfg, text_cfg = configs
    f = 2 ** (len(vae_cfg["block_out_channels"]) - 1)
    g = torch.Generator().manual_seed(5)
    cross = unet_cfg.get("cross_attention_dim", 768) if unet is not None else 0
    n = text_cfg["max_position_embeddings"]

    def latents(b, ch):
        return torch.randn((b, ch, h // f, w // f), generator=g).to(dtype)

    def ids(b):
        return torch.randint(0, text_cfg["vocab_size"], (b, n), generator=g)

    if compile_:
        unet = torch.compile(unet) if unet is not None else None
        vae_decode = torch.compile(vae.decode) if vae is not None else None
        text = torch.compile(text) if text is not None else None
    else:
        vae_decode = vae.decode if vae is not None else None
    if component == "unet":
        sample, ctx = latents(batch, unet_cfg.get("in_channels", 4)), torch.randn((batch, n, cross), generator=g).to(dtype)
        return lambda: unet(sample, 981, encoder_hidden_states=ctx)
    if component == "vae":
        z = latents(batch, vae_cfg.get("latent_channels", 4))
        return lambda: vae_decode(z)
    if component == "text-encoder":
        tokens = ids(batch)
        return lambda: text(tokens)
    tokens, noise = ids(2 * batch), latents(2 * batch, unet_cfg.get("in_channels", 4))

    def pipeline():
        hidden = text(tokens)[0].to(dtype)
        x = noise
        for step in range(steps):
            x = unet(x, 999 - step * 999 // max(steps, 1), encoder_hidden_states=hidden).sample
        return vae_decode(x[:batch].to(torch.float32) if vae.dtype == torch.float32 else x[:batch])
    return pipeline


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("component", choices=["unet", "vae", "text-encoder", "pipeline"])
    p.add_argument("--arch", default="sd15", choices=["sd15", "sd21"])
    p.add_argument("--model", help="a diffusers folder instead of --arch")
    p.add_argument("--attention", nargs="+", default=["vanilla", "sdpa"], choices=["vanilla", "sdpa"])
    p.add_argument("--batch", nargs="+", type=int, default=[1, 2, 4, 8])
    p.add_argument("--precision", nargs="+", default=["f32"], choices=list(DTYPES))
    p.add_argument("--size", nargs="+", default=None, help="N or WxH (default: the model's own)")
    p.add_argument("--compile", action="store_true", help="also run every cell under torch.compile")
    p.add_argument("--memory-limit", type=int, default=None, help="bytes; default MemTotal less 10%% (≥ 1 GiB)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--steps", type=int, default=20, help="UNet calls per pipeline run")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)

    if args.model:
        cfg = lambda sub, name: {k: v for k, v in json.load(open(os.path.join(args.model, sub, name))).items()}  # noqa: E731
        configs = (cfg("unet", "config.json"), cfg("vae", "config.json"), cfg("text_encoder", "config.json"))
        arch = os.path.basename(os.path.normpath(args.model))
    else:
        configs = tuple(read_config(args.arch, n) for n in ("unet", "vae", "text_encoder"))
        arch = args.arch
    f = 2 ** (len(configs[1]["block_out_channels"]) - 1)
    default = configs[0].get("sample_size", 64) * f
    sizes = []
    for s in args.size or [str(default)]:
        parts = [int(x) for x in s.lower().split("x")]
        sizes.append((parts[0], parts[-1]))
    limit = args.memory_limit
    if limit is None:
        total = status_field("MemTotal", "/proc/meminfo")
        limit = total - max(total // 10, 1 << 30) if total else None
    attentions = [a for a in ("vanilla", "sdpa") if a in args.attention]

    baseline = status_field("VmRSS") or 0
    for precision in dict.fromkeys(args.precision):
        dtype = DTYPES[precision]
        models = build(args.component, args)
        if dtype != torch.float32:
            models = tuple(m.to(dtype) if m is not None else None for m in models)
        weight_bytes = sum(p.numel() * p.element_size() for m in models if m is not None for p in m.parameters())
        for compiled in ([False, True] if args.compile else [False]):
            for (w, h) in sizes:
                vanilla = {}
                exhausted = set()
                for batch in sorted(set(args.batch)):
                    for kind in attentions:
                        row = dict(source="torch", arch=arch, component=args.component, width=w, height=h, batch=batch,
                                   attention=kind, precision=precision, compiled=compiled, threads=args.threads,
                                   status="ok", reason=None, seconds_per_step=None, images_per_second=None,
                                   peak_rss_bytes=None, peak_tensor_bytes=None, predicted_bytes=None,
                                   speedup_vs_vanilla=None)
                        pred = baseline + predicted_bytes(args.component, w, h, batch, kind, configs, weight_bytes)
                        row["predicted_bytes"] = pred
                        if limit is not None and (pred > limit or kind in exhausted):
                            row.update(status="oom", reason="predicted above --memory-limit; not run")
                            exhausted.add(kind)
                            print(json.dumps(row), flush=True)
                            continue
                        try:
                            set_attention(models, kind)
                            call = make_call(args.component, models, w, h, batch, dtype, args.steps, configs, compiled)
                            reset_peak()
                            with torch.inference_mode():
                                for _ in range(args.warmup):
                                    call()
                                samples = []
                                for _ in range(args.repeats):
                                    start = time.perf_counter()
                                    call()
                                    samples.append(time.perf_counter() - start)
                            seconds = statistics.median(samples)
                            row.update(seconds_per_step=seconds, images_per_second=batch / seconds,
                                       peak_rss_bytes=status_field("VmHWM"))
                            if limit is not None and row["peak_rss_bytes"] and row["peak_rss_bytes"] > limit:
                                row.update(status="oom", reason="measured peak RSS above --memory-limit")
                                exhausted.add(kind)
                            if kind == "vanilla" and row["status"] == "ok":
                                vanilla[batch] = seconds
                            if batch in vanilla and row["status"] == "ok":
                                row["speedup_vs_vanilla"] = vanilla[batch] / seconds
                        except Exception as e:  # noqa: BLE001 — every failure becomes a row, the grid goes on
                            row.update(status="error", reason=f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}")
                        print(json.dumps(row), flush=True)
        del models
    return 0


if __name__ == "__main__":
    sys.exit(main())
