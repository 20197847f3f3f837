#!/usr/bin/env python3
"""PyTorch + diffusers side of `diffuse bench unet|vae|text-encoder|pipeline` (issue #6): the same grid,
the same JSON fields, so `diffuse bench … --compare FILE` (or `--torch`, which runs this script in the
same run) can print Diffuse / PyTorch per cell.

    <venv>/bin/python Scripts/bench_torch_models.py unet --arch sd15 --size 512 --batch 1 2 4 \
        --attention vanilla sdpa --precision f32 bf16 [--compile] > torch.jsonl
    swift run -c release diffuse bench unet --arch sd15 --size 512 --batch 1 2 4 --compare torch.jsonl

Models: diffusers UNet2DConditionModel / AutoencoderKL and transformers CLIPTextModel built from the real
configs in Fixtures/configs/<arch>/ (sd15, sd21, sdxl, sd-turbo: the ones `diffuse bench --arch` builds),
weights from the modules' default init under torch.manual_seed(seed) — speed does not depend on the
values; or `--model DIR` (a diffusers folder, from_pretrained). SDXL (a text_encoder_2, a "text_time"
UNet) as diffusers' StableDiffusionXLPipeline runs it: the text stage runs CLIPTextModel and
CLIPTextModelWithProjection and concatenates their hidden_states[-2] (pooled text_embeds from the
second, as encode_prompt), and every UNet call gets added_cond_kwargs text_embeds [B, 1280] and
time_ids [B, 6] = [H, W, 0, 0, H, W]. Attention: "vanilla" = diffusers' AttnProcessor (baddbmm, softmax,
bmm) / transformers' eager attention; "sdpa" = AttnProcessor2_0 (F.scaled_dot_product_attention) /
transformers' sdpa. Precision: the whole model and its inputs in that dtype (PyTorch's usual meaning;
Diffuse keeps activations f32 and rounds only weights — see Precision.swift). `--compile`: torch.compile
of the model; a failure gives status "error" with the reason. Peak RSS: VmHWM after resetting it through
/proc/self/clear_refs before each cell. Cells whose predicted peak (same formula as Diffuse's
MemoryModel, Sources/DiffusePipeline/Memory/MemoryModel.swift) exceeds --memory-limit are "oom" without running. 2 threads by default.
One JSON object per line: source ("torch"), arch, component, width, height, batch, attention, precision,
compiled, threads, status (ok | oom | error), reason, seconds_per_step (median), images_per_second,
peak_rss_bytes, peak_tensor_bytes (null), predicted_bytes, speedup_vs_vanilla; vae ("kl" | "tiny", vae and
pipeline) and guided (pipeline). `--vae tiny`: diffusers' AutoencoderTiny() (TAESD's architecture, seeded
random weights) decodes instead of the AutoencoderKL, as a pipeline with `vae=AutoencoderTiny.from_pretrained(
"madebyollin/taesd")`; `--guidance-scale` ≤ 1 (LCM, Turbo): one UNet pass of the batch per step, no
unconditional half.
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
    """Fixtures/configs/<arch>/<name>.json without the metadata keys; None when the family has no such file."""
    path = os.path.join(ROOT, "Fixtures", "configs", arch, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return {k: v for k, v in json.load(f).items() if not k.startswith("_")}


def build(component, args, vae_kind="kl"):
    """(unet, vae, text_encoder, text_encoder_2) — only those the component needs (text_encoder_2: SDXL
    only, a CLIPTextModelWithProjection; vae: an AutoencoderTiny for vae_kind "tiny"); f32, eval mode."""
    from diffusers import AutoencoderKL, AutoencoderTiny, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection
    torch.manual_seed(args.seed)
    need_unet = component in ("unet", "pipeline")
    need_vae = component in ("vae", "pipeline")
    need_text = component in ("text-encoder", "pipeline")
    if args.model:
        unet = UNet2DConditionModel.from_pretrained(args.model, subfolder="unet") if need_unet else None
        vae = AutoencoderKL.from_pretrained(args.model, subfolder="vae") if need_vae else None
        text = CLIPTextModel.from_pretrained(args.model, subfolder="text_encoder") if need_text else None
        has_text2 = os.path.isdir(os.path.join(args.model, "text_encoder_2"))
        text2 = CLIPTextModelWithProjection.from_pretrained(args.model, subfolder="text_encoder_2") \
            if need_text and has_text2 else None
    else:
        unet = UNet2DConditionModel(**read_config(args.arch, "unet")) if need_unet else None
        vae = AutoencoderKL(**read_config(args.arch, "vae")) if need_vae else None
        text = CLIPTextModel(CLIPTextConfig(**read_config(args.arch, "text_encoder"))) if need_text else None
        text2_cfg = read_config(args.arch, "text_encoder_2")
        text2 = CLIPTextModelWithProjection(CLIPTextConfig(**text2_cfg)) if need_text and text2_cfg else None
    if need_vae and vae_kind == "tiny":
        torch.manual_seed(args.seed + 4)
        vae = AutoencoderTiny()
    return tuple(m.eval() if m is not None else None for m in (unet, vae, text, text2))


def set_attention(models, kind):
    from diffusers.models.attention_processor import AttnProcessor, AttnProcessor2_0
    unet, vae, text, text2 = models
    for m in (unet, vae):
        if m is not None and hasattr(m, "set_attn_processor"):
            m.set_attn_processor(AttnProcessor() if kind == "vanilla" else AttnProcessor2_0())
    for m in (text, text2):
        if m is not None:
            m.config._attn_implementation = "eager" if kind == "vanilla" else "sdpa"
            if hasattr(m, "set_attn_implementation"):
                m.set_attn_implementation("eager" if kind == "vanilla" else "sdpa")


def predicted_bytes(component, w, h, batch, kind, configs, weight_bytes, vae_kind="kl", guided=True):
    """Diffuse's MemoryModel (Sources/DiffusePipeline/Memory/MemoryModel.swift): weights + activations of the largest stage."""
    unet_cfg, vae_cfg, text_cfg, text2_cfg = configs
    f = 2 ** (len(vae_cfg.get("block_out_channels", [0, 0, 0, 0])) - 1)

    def scores(b, heads, q, k):
        full = 2 * 4 * b * heads * q * k
        return full if kind == "vanilla" else min(full, 512 << 10)

    def unet_bytes(b):
        # activations at the latent resolution + the scores of the first level with attention (SDXL: level 1)
        lw, lh = w // f, h // f
        types = unet_cfg.get("down_block_types", [])
        level = next((i for i, t in enumerate(types) if t.startswith("CrossAttn")), None)
        s = 0
        if level is not None:
            tokens = -(-lw // 2 ** level) * -(-lh // 2 ** level)
            heads = unet_cfg.get("num_attention_heads") or unet_cfg.get("attention_head_dim", 8)
            heads = heads[level] if isinstance(heads, list) else heads
            s = scores(b, heads, tokens, tokens)
        return 4 * b * lw * lh * 30 * unet_cfg.get("block_out_channels", [320])[0] + s

    def vae_bytes(b):
        if vae_kind == "tiny":  # AutoencoderTiny's default config: 64 channels at full resolution, no attention
            return 4 * b * w * h * 4 * 64
        tokens = (w // f) * (h // f)
        return 4 * b * w * h * 4 * vae_cfg["block_out_channels"][1] + scores(b, 1, tokens, tokens)

    def text_bytes(b):
        # the larger of the text encoders (SDXL runs text_encoder_2 after text_encoder)
        def one(t):
            n = t["max_position_embeddings"]
            return 4 * b * n * 8 * t["hidden_size"] + scores(b, t["num_attention_heads"], n, n)
        return max(one(t) for t in (text_cfg, text2_cfg) if t is not None)

    g = 2 if guided else 1
    act = {"unet": lambda: unet_bytes(batch), "vae": lambda: vae_bytes(batch), "text-encoder": lambda: text_bytes(batch),
           "pipeline": lambda: max(text_bytes(g * batch), unet_bytes(g * batch), vae_bytes(batch))}[component]()
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


def added_cond(configs, w, h, b, dtype, g, text_embeds=None):
    """SDXL's added_cond_kwargs (a "text_time" UNet), else None: text_embeds [b, P] (the pooled output, or
    random from g) and time_ids [b, n] = [H, W, 0, 0, H, W] (the refiner's 5: [H, W, 0, 0, 6])."""
    unet_cfg, text2_cfg = configs[0], configs[3]
    if unet_cfg.get("addition_embed_type") != "text_time":
        return None
    total, d = unet_cfg["projection_class_embeddings_input_dim"], unet_cfg["addition_time_embed_dim"]
    pooled = (text2_cfg or {}).get("projection_dim") or total - 6 * d
    row = [h, w, 0, 0, h, w] if (total - pooled) // d == 6 else [h, w, 0, 0, 6.0]
    if text_embeds is None:
        text_embeds = torch.randn((b, pooled), generator=g).to(dtype)
    return {"text_embeds": text_embeds, "time_ids": torch.tensor([row] * b, dtype=dtype)}


def make_inputs(component, w, h, batch, dtype, configs, guided=True):
    """The inputs of one call, drawn from torch.Generator().manual_seed(5) (the same for every engine):
    unet: sample [B, C, h/f, w/f], ctx [B, 77, cross] and cond (added_cond, SDXL); vae: z; text-encoder:
    tokens [B, 77]; pipeline: tokens and noise for the UNet's batch (2B when guided)."""
    unet_cfg, vae_cfg, text_cfg, text2_cfg = configs
    f = 2 ** (len(vae_cfg["block_out_channels"]) - 1)
    g = torch.Generator().manual_seed(5)
    n = text_cfg["max_position_embeddings"]

    def latents(b, ch):
        return torch.randn((b, ch, h // f, w // f), generator=g).to(dtype)

    def ids(b):
        return torch.randint(0, text_cfg["vocab_size"], (b, n), generator=g)

    if component == "unet":
        cross = unet_cfg.get("cross_attention_dim", 768)
        cross = cross[0] if isinstance(cross, list) else cross
        sample, ctx = latents(batch, unet_cfg.get("in_channels", 4)), torch.randn((batch, n, cross), generator=g).to(dtype)
        return {"sample": sample, "ctx": ctx, "cond": added_cond(configs, w, h, batch, dtype, g)}
    if component == "vae":
        return {"z": latents(batch, vae_cfg.get("latent_channels", 4))}
    if component == "text-encoder":
        return {"tokens": ids(batch)}
    unet_batch = 2 * batch if guided else batch  # [uncond; cond] with guidance
    tokens, noise = ids(unet_batch), latents(unet_batch, unet_cfg.get("in_channels", 4))
    return {"tokens": tokens, "noise": noise, "generator": g}


def encode_prompt(text, text2, tokens):
    """(prompt embeddings, pooled text_embeds or None): SD's last hidden state; SDXL as
    StableDiffusionXLPipeline.encode_prompt: hidden_states[-2] of both encoders concatenated."""
    if text2 is None:
        return text(tokens)[0], None
    first = text(tokens, output_hidden_states=True)
    second = text2(tokens, output_hidden_states=True)
    return torch.cat([first.hidden_states[-2], second.hidden_states[-2]], dim=-1), second.text_embeds


def pipeline_timestep(step, steps):
    """The timestep of UNet call `step` of a pipeline run (every engine uses the same)."""
    return 999 - step * 999 // max(steps, 1)


def make_call(component, models, w, h, batch, dtype, steps, configs, compile_, guided=True):
    unet, vae, text, text2 = models
    inputs = make_inputs(component, w, h, batch, dtype, configs, guided)

    if compile_:
        unet = torch.compile(unet) if unet is not None else None
        vae_decode = torch.compile(vae.decode) if vae is not None else None
        text = torch.compile(text) if text is not None else None
        text2 = torch.compile(text2) if text2 is not None else None
    else:
        vae_decode = vae.decode if vae is not None else None

    if component == "unet":
        sample, ctx, cond = inputs["sample"], inputs["ctx"], inputs["cond"]
        return lambda: unet(sample, 981, encoder_hidden_states=ctx, added_cond_kwargs=cond)
    if component == "vae":
        z = inputs["z"]
        return lambda: vae_decode(z)
    if component == "text-encoder":
        tokens = inputs["tokens"]
        return lambda: encode_prompt(text, text2, tokens)
    tokens, noise, g = inputs["tokens"], inputs["noise"], inputs["generator"]
    unet_batch = tokens.shape[0]

    def pipeline():
        hidden, pooled = encode_prompt(text, text2, tokens)
        hidden = hidden.to(dtype)
        cond = added_cond(configs, w, h, unet_batch, dtype, g, pooled.to(dtype) if pooled is not None else None)
        x = noise
        for step in range(steps):
            x = unet(x, pipeline_timestep(step, steps), encoder_hidden_states=hidden, added_cond_kwargs=cond).sample
        return vae_decode(x[:batch].to(torch.float32) if vae.dtype == torch.float32 else x[:batch])
    return pipeline


def argument_parser(description):
    """The command line every model baseline script takes (this one, bench_openvino.py, bench_onnxruntime.py):
    the grid of `diffuse bench <component>`, so ExternalBaseline runs them all the same way."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("component", choices=["unet", "vae", "text-encoder", "pipeline"])
    p.add_argument("--arch", default="sd15", choices=["sd15", "sd21", "sdxl", "sd-turbo"])
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
    p.add_argument("--vae-tiling", action="store_true", help="vae.enable_tiling() + enable_slicing() (vae, pipeline)")
    p.add_argument("--vae", nargs="+", default=["kl"], choices=["kl", "tiny"],
                   help="decoders (vae, pipeline): the model's AutoencoderKL, or AutoencoderTiny (TAESD)")
    p.add_argument("--guidance-scale", type=float, default=7.5,
                   help="pipeline: > 1 runs the UNet on [uncond; cond] (2B), ≤ 1 on B")
    return p


def load_configs(args):
    """((unet, vae, text_encoder, text_encoder_2) configs, arch name) of --model or --arch."""
    if args.model:
        def cfg(sub):
            path = os.path.join(args.model, sub, "config.json")
            return json.load(open(path)) if os.path.exists(path) else None
        configs = tuple(cfg(n) for n in ("unet", "vae", "text_encoder", "text_encoder_2"))
        return configs, os.path.basename(os.path.normpath(args.model))
    return tuple(read_config(args.arch, n) for n in ("unet", "vae", "text_encoder", "text_encoder_2")), args.arch


def grid_sizes(args, configs):
    """[(width, height)] of --size, or the model's own size."""
    f = 2 ** (len(configs[1]["block_out_channels"]) - 1)
    default = configs[0].get("sample_size", 64) * f
    sizes = []
    for s in args.size or [str(default)]:
        parts = [int(x) for x in s.lower().split("x")]
        sizes.append((parts[0], parts[-1]))
    return sizes


def memory_limit(args):
    """--memory-limit, else MemTotal less 10 % (at least 1 GiB); None when unknown."""
    limit = args.memory_limit
    if limit is None:
        total = status_field("MemTotal", "/proc/meminfo")
        limit = total - max(total // 10, 1 << 30) if total else None
    return limit


def result_row(source, arch, args, w, h, batch, kind, precision, compiled, vae_kind, guided):
    """One JSON line's fields before measuring (status ok, measurements null)."""
    row = dict(source=source, arch=arch, component=args.component, width=w, height=h, batch=batch,
               attention=kind, precision=precision, compiled=compiled, threads=args.threads,
               status="ok", reason=None, seconds_per_step=None, images_per_second=None,
               peak_rss_bytes=None, peak_tensor_bytes=None, predicted_bytes=None,
               speedup_vs_vanilla=None)
    if args.component in ("vae", "pipeline"):
        row["vae"] = vae_kind
    if args.component == "pipeline":
        row["guided"] = guided
    return row


def time_and_record(call, row, batch, args, limit, kind, exhausted, vanilla):
    """Times `call` (args.warmup runs, then the median of args.repeats) and fills `row` as every engine's
    row is filled: seconds, images/s, peak RSS (flagged "oom" above `limit`, which stops `kind`), and the
    speed-up over vanilla attention at this batch."""
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


def error_reason(e):
    """An exception as a row's one-line reason."""
    return f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"


def main():
    args = argument_parser(__doc__).parse_args()
    guided = args.guidance_scale > 1
    vae_kinds = list(dict.fromkeys(args.vae)) if args.component in ("vae", "pipeline") else ["kl"]
    torch.set_num_threads(args.threads)

    configs, arch = load_configs(args)
    sizes = grid_sizes(args, configs)
    limit = memory_limit(args)
    attentions = [a for a in ("vanilla", "sdpa") if a in args.attention]

    baseline = status_field("VmRSS") or 0
    for precision, vae_kind in [(p_, v) for p_ in dict.fromkeys(args.precision) for v in vae_kinds]:
        dtype = DTYPES[precision]
        models = build(args.component, args, vae_kind)
        if args.vae_tiling and models[1] is not None and vae_kind == "kl":
            models[1].enable_tiling()
            models[1].enable_slicing()
        if dtype != torch.float32:
            models = tuple(m.to(dtype) if m is not None else None for m in models)
        weight_bytes = sum(p.numel() * p.element_size() for m in models if m is not None for p in m.parameters())
        for compiled in ([False, True] if args.compile else [False]):
            for (w, h) in sizes:
                vanilla = {}
                exhausted = set()
                for batch in sorted(set(args.batch)):
                    for kind in attentions:
                        row = result_row("torch", arch, args, w, h, batch, kind, precision, compiled, vae_kind, guided)
                        pred = baseline + predicted_bytes(args.component, w, h, batch, kind, configs, weight_bytes,
                                                          vae_kind, guided)
                        row["predicted_bytes"] = pred
                        if limit is not None and (pred > limit or kind in exhausted):
                            row.update(status="oom", reason="predicted above --memory-limit; not run")
                            exhausted.add(kind)
                            print(json.dumps(row), flush=True)
                            continue
                        try:
                            set_attention(models, kind)
                            call = make_call(args.component, models, w, h, batch, dtype, args.steps, configs, compiled, guided)
                            reset_peak()
                            with torch.inference_mode():
                                time_and_record(call, row, batch, args, limit, kind, exhausted, vanilla)
                        except Exception as e:  # noqa: BLE001 — every failure becomes a row, the grid goes on
                            row.update(status="error", reason=error_reason(e))
                        print(json.dumps(row), flush=True)
        del models
    return 0


if __name__ == "__main__":
    sys.exit(main())
