#!/usr/bin/env python3
"""OpenVINO side of `diffuse bench unet|vae|text-encoder|pipeline --baseline openvino` (issue #21): the
same grid, models, weights and inputs as Scripts/bench_torch_models.py (whose functions build them), each
torch module converted once per shape with `openvino.convert_model` and run by the CPU plugin.

    <venv>/bin/python -m pip install openvino
    <venv>/bin/python Scripts/bench_openvino.py unet --arch sd15 --size 256 --batch 2 --attention sdpa > openvino.jsonl
    swift run -c release diffuse bench unet --arch sd15 --size 256 --batch 2 --baseline torch,openvino,onnxruntime \
        --python <venv>/bin/python

How it runs: the diffusers module (UNet2DConditionModel, AutoencoderKL.decode or AutoencoderTiny.decode,
the CLIP text stage; with the attention processor of --attention, as the PyTorch script sets it) is
converted at static shapes (every input's shape fixed: one graph per size and batch) to an f32 IR
(`save_model(compress_to_fp16=False)`) in a temporary folder removed at exit; the conversion runs in a
child process, so the torch models and the converter's memory are gone before timing. Each cell then
compiles its graphs with INFERENCE_NUM_THREADS = --threads, PERFORMANCE_HINT LATENCY and
INFERENCE_PRECISION_HINT = the cell's precision (f32; bf16 / f16 where the CPU plugin lists them in
OPTIMIZATION_CAPABILITIES, else the cell is an "error" that says so), calls it --warmup times, then
--repeats timed calls; the median is reported. Conversion and compile times are reported apart
(compile_seconds = convert_seconds + load_seconds), never in the timing. A pipeline call is the text
graph, --steps UNet graph calls (the UNet's batch is 2B when guided, as in the PyTorch script: no
guidance arithmetic) and the decoder graph, chained in numpy. Peak RSS: VmHWM after resetting it once
the cell's graphs are compiled (as the PyTorch script's models are built before its reset).

The JSON lines are the PyTorch script's (source "openvino"), plus version (the library's),
convert_seconds, load_seconds and compile_seconds. `--compile` is accepted and ignored (the graph is
always compiled ahead of time; rows say compiled false, and `diffuse bench` compares them with its
compiled cells too). `--vae-tiling` is not supported (rows say so).

This file also holds the driver both graph baselines share (`run_graph_baseline`, `GraphEngine`):
Scripts/bench_onnxruntime.py imports it; `openvino` itself is imported only by OpenVinoEngine.
"""
import atexit
import gc
import importlib.util
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

TORCH_MODULES = ("torch", "diffusers", "transformers")


class GraphEngine:
    """What a graph baseline provides to `run_graph_baseline`; the conversion runs in a child process."""
    source = ""          # the rows' "source"
    title = ""           # for messages
    modules = ()         # Python modules it needs besides TORCH_MODULES
    pip = ""             # what to pip install for them
    suffix = ""          # the converted file's extension

    def version(self):
        raise NotImplementedError

    def precision_refusal(self, precision):
        """None when the engine can run cells of this precision, else the reason it cannot."""
        return None

    def convert(self, module, example, names, path):
        """Writes `module` traced on `example` (a tuple of tensors named `names`, shapes fixed) to `path`."""
        raise NotImplementedError

    def load(self, path, names, precision, threads):
        """A function from a list of numpy inputs (in `names` order, as converted) to the list of numpy outputs."""
        raise NotImplementedError


# --- the graphs a component needs --------------------------------------------------------------------

def graph_specs(component, batch, guided):
    """[(stage, batch)]: the graphs one call of `component` runs (a pipeline: text and UNet at the UNet's
    batch, 2B when guided, the decoder at B)."""
    unet_batch = 2 * batch if guided else batch
    return {"unet": [("unet", batch)], "vae": [("vae", batch)], "text-encoder": [("text", batch)],
            "pipeline": [("text", unet_batch), ("unet", unet_batch), ("vae", batch)]}[component]


def graph_key(stage, kind, vae_kind, w, h, batch):
    """The cache key of one converted graph: stage, attention, decoder, image size, batch."""
    return f"{stage}-{kind}-{vae_kind if stage == 'vae' else 'any'}-{w}x{h}-b{batch}"


def is_sdxl(configs):
    return configs[0] is not None and configs[0].get("addition_embed_type") == "text_time"


def stage_module(stage, models, configs):
    """The torch module one graph is converted from, and its input and output names."""
    import torch
    from bench_torch_models import encode_prompt
    unet, vae, text, text2 = models
    sdxl = is_sdxl(configs)

    class UNetStage(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.unet = unet

        def forward(self, sample, timestep, ctx, text_embeds=None, time_ids=None):
            cond = {"text_embeds": text_embeds, "time_ids": time_ids} if text_embeds is not None else None
            return self.unet(sample, timestep, encoder_hidden_states=ctx, added_cond_kwargs=cond, return_dict=False)[0]

    class DecodeStage(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.vae = vae

        def forward(self, latents):
            return self.vae.decode(latents, return_dict=False)[0]

    class TextStage(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.text, self.text2 = text, text2

        def forward(self, input_ids):
            hidden, pooled = encode_prompt(self.text, self.text2, input_ids)
            return hidden if pooled is None else (hidden, pooled)

    if stage == "unet":
        names = ["sample", "timestep", "encoder_hidden_states"] + (["text_embeds", "time_ids"] if sdxl else [])
        return UNetStage().eval(), names, ["out_sample"]
    if stage == "vae":
        return DecodeStage().eval(), ["latents"], ["image"]
    return TextStage().eval(), ["input_ids"], (["hidden_states", "text_embeds"] if text2 is not None else ["hidden_states"])


def stage_inputs(stage, configs, w, h, batch):
    """The inputs of one graph (torch tensors, f32 / int64), from bench_torch_models.make_inputs: the
    UNet's sample, timestep 981, context (and SDXL's text_embeds, time_ids); the latents; the token ids."""
    import torch
    from bench_torch_models import make_inputs
    if stage == "unet":
        x = make_inputs("unet", w, h, batch, torch.float32, configs)
        cond = [x["cond"]["text_embeds"], x["cond"]["time_ids"]] if x["cond"] is not None else []
        return [x["sample"], torch.tensor(981, dtype=torch.int64), x["ctx"]] + cond
    if stage == "vae":
        return [make_inputs("vae", w, h, batch, torch.float32, configs)["z"]]
    return [make_inputs("text-encoder", w, h, batch, torch.float32, configs)["tokens"]]


# --- conversion, in a child process -------------------------------------------------------------------

def convert_graphs(engine, args, vae_kind, jobs, folder, manifest_path, budget):
    """Child process: builds the torch models once (bench_torch_models.build), converts every job
    (key, stage, attention, w, h, graph batch, cell batch) to folder/key, and records the weights' bytes and
    each graph's path and seconds (or error) in the manifest, after each graph. With a budget (limit,
    baseline RSS, weight scale, guided), graphs of cells predicted above the limit are not converted. Its
    stdout goes to stderr: the parent's stdout is JSON lines."""
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    import warnings
    warnings.filterwarnings("ignore")
    import torch
    from bench_torch_models import build, error_reason, load_configs, predicted_bytes, set_attention
    torch.set_num_threads(max(args.threads, 1))
    configs, _ = load_configs(args)
    models = build(args.component, args, vae_kind)
    manifest = {"weight_bytes": sum(p.numel() * p.element_size() for m in models if m is not None
                                    for p in m.parameters()), "graphs": {}}

    def write():
        with open(manifest_path + ".tmp", "w") as f:
            json.dump(manifest, f)
        os.replace(manifest_path + ".tmp", manifest_path)
    write()
    for key, stage, kind, w, h, batch, cell_batch in jobs:
        if budget is not None:
            limit, baseline, scale, guided = budget
            if baseline + predicted_bytes(args.component, w, h, cell_batch, kind, configs,
                                          int(manifest["weight_bytes"] * scale), vae_kind, guided) > limit:
                continue
        start = time.perf_counter()
        try:
            set_attention(models, kind)
            module, names, outputs = stage_module(stage, models, configs)
            example = stage_inputs(stage, configs, w, h, batch)
            os.makedirs(os.path.join(folder, key), exist_ok=True)
            path = os.path.join(folder, key, "model" + engine.suffix)
            print(f"{engine.title}: converting {key}", flush=True)
            with torch.inference_mode():
                engine.convert(module, tuple(example), names, path)
            manifest["graphs"][key] = {"path": path, "names": names, "seconds": time.perf_counter() - start}
        except Exception as e:  # noqa: BLE001 — a failed conversion becomes the error of its cells
            manifest["graphs"][key] = {"error": "conversion failed: " + error_reason(e)}
        write()


# --- timing, in this process --------------------------------------------------------------------------

def make_graph_call(component, stages, configs, w, h, batch, steps, guided):
    """The timed call: the engine's graphs fed the same inputs as bench_torch_models.make_call."""
    import numpy as np
    import torch
    from bench_torch_models import added_cond, make_inputs, pipeline_timestep
    inputs = make_inputs(component, w, h, batch, torch.float32, configs, guided)
    if component == "unet":
        feeds = [t.numpy() for t in stage_inputs("unet", configs, w, h, batch)]
        return lambda: stages["unet"](feeds)
    if component == "vae":
        z = inputs["z"].numpy()
        return lambda: stages["vae"]([z])
    if component == "text-encoder":
        tokens = inputs["tokens"].numpy()
        return lambda: stages["text"]([tokens])
    tokens, noise, g = inputs["tokens"].numpy(), inputs["noise"].numpy(), inputs["generator"]
    unet_batch = tokens.shape[0]
    sdxl = is_sdxl(configs)

    def pipeline():
        out = stages["text"]([tokens])
        hidden = out[0].astype(np.float32, copy=False)     # as the PyTorch script's hidden.to(dtype)
        pooled = out[1].astype(np.float32, copy=False) if len(out) > 1 else None
        extra = []
        if sdxl:
            cond = added_cond(configs, w, h, unet_batch, torch.float32, g,
                              torch.from_numpy(pooled) if pooled is not None else None)
            extra = [cond["text_embeds"].numpy(), cond["time_ids"].numpy()]
        x = noise
        for step in range(steps):
            x = stages["unet"]([x, np.array(pipeline_timestep(step, steps), dtype=np.int64), hidden] + extra)[0]
        return stages["vae"]([np.ascontiguousarray(x[:batch])])
    return pipeline


def require_modules(engine):
    """Exits 3 after a line `ModuleNotFoundError: No module named 'X'` per missing module, with what to pip
    install (`diffuse bench` reads these lines and says which packages to install)."""
    missing = [name for name in TORCH_MODULES + tuple(engine.modules) if importlib.util.find_spec(name) is None]
    for name in missing:
        wanted = engine.pip if name in engine.modules else "torch diffusers transformers"
        print(f"ModuleNotFoundError: No module named '{name}' — the {engine.title} baseline needs it: "
              f"{sys.executable} -m pip install {wanted}", flush=True)
    if missing:
        sys.exit(3)


def run_graph_baseline(engine, description):
    """The grid of `diffuse bench <component>` on `engine`: one JSON line per cell on stdout."""
    require_modules(engine)
    from bench_torch_models import (argument_parser, error_reason, grid_sizes, load_configs, memory_limit,
                                    predicted_bytes, reset_peak, result_row, status_field, time_and_record)
    args = argument_parser(description).parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))     # so that atexit removes the cache
    guided = args.guidance_scale > 1
    vae_kinds = list(dict.fromkeys(args.vae)) if args.component in ("vae", "pipeline") else ["kl"]
    configs, arch = load_configs(args)
    sizes = grid_sizes(args, configs)
    limit = memory_limit(args)
    attentions = [a for a in ("vanilla", "sdpa") if a in args.attention]
    batches = sorted(set(args.batch))
    precisions = list(dict.fromkeys(args.precision))
    version = engine.version()
    baseline = status_field("VmRSS") or 0
    cache = tempfile.mkdtemp(prefix=f"diffuse-bench-{engine.source}-")
    children = []

    def clean_up():
        """At exit (also after SIGTERM or ^C): stop a conversion still running, then remove the cache."""
        for child in children:
            if child.is_alive():
                child.terminate()
                child.join(10)
        shutil.rmtree(cache, ignore_errors=True)
    atexit.register(clean_up)
    refusals = {p: engine.precision_refusal(p) for p in precisions}
    runnable = [p for p in precisions if refusals[p] is None]
    smallest = min(({"f32": 4}.get(p, 2) for p in runnable), default=4)

    def predicted(w, h, batch, kind, vae_kind, weight_bytes, precision):
        scale = {"f32": 4}.get(precision, 2) / 4
        return baseline + predicted_bytes(args.component, w, h, batch, kind, configs, int(weight_bytes * scale),
                                          vae_kind, guided)

    for vae_kind in vae_kinds:
        # Convert every graph the grid needs (once per shape) before timing anything.
        manifest = {"weight_bytes": 0, "graphs": {}}
        # diffusers' tiled decode (the PyTorch script's --vae-tiling, KL decoder only) is not converted.
        tiled = args.vae_tiling and args.component in ("vae", "pipeline") and vae_kind == "kl"
        if runnable and not tiled:
            manifest_path = os.path.join(cache, f"manifest-{vae_kind}.json")
            jobs = []
            for (w, h) in sizes:
                for batch in batches:
                    for kind in attentions:
                        for stage, b in graph_specs(args.component, batch, guided):
                            key = graph_key(stage, kind, vae_kind, w, h, b)
                            if key not in [j[0] for j in jobs]:
                                jobs.append((key, stage, kind, w, h, b, batch))
            budget = (limit, baseline, smallest / 4, guided) if limit is not None else None
            child = multiprocessing.get_context("spawn").Process(
                target=convert_graphs, args=(engine, args, vae_kind, jobs, cache, manifest_path, budget))
            children.append(child)
            child.start()
            child.join()
            if os.path.exists(manifest_path):
                with open(manifest_path) as f:
                    manifest = json.load(f)
            if child.exitcode != 0:
                for key, *_ in jobs:
                    manifest["graphs"].setdefault(
                        key, {"error": f"conversion process exited with code {child.exitcode} (out of memory?)"})
        for precision in precisions:
            for (w, h) in sizes:
                vanilla = {}
                exhausted = set()
                for batch in batches:
                    for kind in attentions:
                        row = result_row(engine.source, arch, args, w, h, batch, kind, precision, False, vae_kind, guided)
                        row["version"] = version
                        refusal = refusals[precision]
                        if refusal or tiled:
                            row.update(status="error", reason=refusal or
                                       f"--vae-tiling is not supported by the {engine.title} baseline")
                            print(json.dumps(row), flush=True)
                            continue
                        pred = predicted(w, h, batch, kind, vae_kind, manifest["weight_bytes"], precision)
                        row["predicted_bytes"] = pred
                        if limit is not None and (pred > limit or kind in exhausted):
                            row.update(status="oom", reason="predicted above --memory-limit; not run")
                            exhausted.add(kind)
                            print(json.dumps(row), flush=True)
                            continue
                        stages = {}
                        try:
                            specs = graph_specs(args.component, batch, guided)
                            graphs = [manifest["graphs"].get(graph_key(s, kind, vae_kind, w, h, b),
                                                             {"error": "not converted"}) for s, b in specs]
                            failed = next((g["error"] for g in graphs if "error" in g), None)
                            if failed:
                                raise RuntimeError(failed)
                            start = time.perf_counter()
                            for (stage, _), graph in zip(specs, graphs):
                                stages[stage] = engine.load(graph["path"], graph["names"], precision, args.threads)
                            load_seconds = time.perf_counter() - start
                            convert_seconds = sum(g["seconds"] for g in graphs)
                            row.update(convert_seconds=round(convert_seconds, 3), load_seconds=round(load_seconds, 3),
                                       compile_seconds=round(convert_seconds + load_seconds, 3))
                            call = make_graph_call(args.component, stages, configs, w, h, batch, args.steps, guided)
                            reset_peak()
                            time_and_record(call, row, batch, args, limit, kind, exhausted, vanilla)
                        except Exception as e:  # noqa: BLE001 — every failure becomes a row, the grid goes on
                            row.update(status="error", reason=error_reason(e))
                        finally:
                            stages.clear()
                            gc.collect()
                        print(json.dumps(row), flush=True)
        # The graphs of this decoder are no longer needed.
        for entry in os.listdir(cache):
            if os.path.isdir(os.path.join(cache, entry)):
                shutil.rmtree(os.path.join(cache, entry), ignore_errors=True)
    return 0


# --- OpenVINO -----------------------------------------------------------------------------------------

class OpenVinoEngine(GraphEngine):
    """openvino.convert_model at static shapes → f32 IR; the CPU plugin with INFERENCE_NUM_THREADS,
    PERFORMANCE_HINT LATENCY and INFERENCE_PRECISION_HINT."""
    source = "openvino"
    title = "OpenVINO"
    modules = ("openvino",)
    pip = "openvino"
    suffix = ".xml"

    def version(self):
        import openvino
        return "openvino " + openvino.__version__.split("-")[0]

    def precision_refusal(self, precision):
        if precision == "f32":
            return None
        import openvino
        capabilities = openvino.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
        wanted = {"bf16": "BF16", "f16": "FP16"}[precision]
        if wanted in capabilities:
            return None
        return (f"OpenVINO's CPU plugin does not run {precision} on this CPU (OPTIMIZATION_CAPABILITIES "
                f"{', '.join(capabilities)}); use --precision f32")

    def convert(self, module, example, names, path):
        import openvino
        model = openvino.convert_model(module, example_input=example)
        model.reshape({model.inputs[i]: openvino.PartialShape(list(t.shape)) for i, t in enumerate(example)})
        for port, name in zip(model.inputs, names):
            port.get_tensor().set_names({name})
        openvino.save_model(model, path, compress_to_fp16=False)

    def load(self, path, names, precision, threads):
        import openvino
        hint = {"f32": "f32", "bf16": "bf16", "f16": "f16"}[precision]
        compiled = openvino.Core().compile_model(path, "CPU", {
            "INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": hint})
        request = compiled.create_infer_request()

        def run(feeds):
            result = request.infer(feeds)
            return [result[port] for port in compiled.outputs]
        return run


if __name__ == "__main__":
    sys.exit(run_graph_baseline(OpenVinoEngine(), __doc__))
