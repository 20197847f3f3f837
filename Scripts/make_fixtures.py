#!/usr/bin/env python3
"""Generate Diffuse's reference fixtures (run by developers, never by CI; the outputs are committed).

    <venv>/bin/python Scripts/make_fixtures.py            # everything, into Fixtures/
    <venv>/bin/python Scripts/make_fixtures.py --check    # regenerate into a temp dir, diff with MANIFEST

Deterministic: fixed seeds, torch.use_deterministic_algorithms(True), one thread, float32 CPU.
Re-running with the versions pinned in Scripts/requirements-fixtures.txt gives byte-identical files;
Fixtures/MANIFEST.json lists every generated file with its sha256. See Fixtures/README.md.
"""
import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixtures import common  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATED = ["tokenizer", "tiny-sd1", "tiny-sd2", "tiny-sdxl", "tiny-sdxl-refiner", "tiny-taesd", "vae-tiling",
             "single-file", "ops", "schedulers", "lora", "prompt-syntax", "inpaint", "controlnet",
             "controlnet-single-file", "canny"]  # subfolders this script owns
COMMAND = "python Scripts/make_fixtures.py"


def versions() -> dict:
    import diffusers, numpy, open_clip, peft, safetensors, tokenizers, torch, transformers  # noqa: E401
    return {"python": platform.python_version(), "torch": torch.__version__, "diffusers": diffusers.__version__,
            "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
            "safetensors": safetensors.__version__, "numpy": numpy.__version__,
            "open_clip_torch": open_clip.__version__, "peft": peft.__version__}


def manifest(out: str, notes: dict) -> dict:
    files = {}
    for sub in GENERATED:
        for dirpath, dirnames, filenames in os.walk(os.path.join(out, sub)):
            dirnames.sort()
            for name in sorted(filenames):
                p = os.path.join(dirpath, name)
                rel = os.path.relpath(p, out).replace(os.sep, "/")
                if os.path.islink(p):
                    files[rel] = {"symlink": os.readlink(p)}
                else:
                    files[rel] = {"bytes": os.path.getsize(p), "sha256": common.sha256(p)}
    return {"command": COMMAND, "generator": "Scripts/make_fixtures.py (+ Scripts/fixtures/*.py)",
            "versions": versions(), "notes": notes, "files": dict(sorted(files.items())),
            "not_listed": ["README.md (hand-written)", "MANIFEST.json (this file)"]}


def generate(out: str) -> None:
    from fixtures import (canny, controlnet, controlnet_single_file, inpaint, lora, ops, pipeline_cases, pipelines,
                          prompt_syntax, reference, schedulers, sdxl, sdxl_refiner, single_file, taesd, tokenizer,
                          tokenizer_cases, vae_tiling)

    for sub in GENERATED:
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    common.set_determinism(0)
    print("tokenizer ...", flush=True)
    tokenizer.build(os.path.join(out, "tokenizer"))
    notes = {}
    for fam in ("sd1", "sd2"):
        print(f"tiny-{fam} ...", flush=True)
        common.set_determinism(0)
        notes[f"tiny-{fam}"], weights = pipelines.build(out, fam)
        common.set_determinism(0)
        reference.build(out, fam, weights)
        common.set_determinism(0)
        pipeline_cases.build(out, fam)
    for name, module in (("tiny-sdxl", sdxl), ("tiny-sdxl-refiner", sdxl_refiner), ("tiny-taesd", taesd),
                         ("vae-tiling", vae_tiling)):
        print(f"{name} ...", flush=True)
        common.set_determinism(0)
        notes[name] = module.build(out)
    print("tokenizer cases ...", flush=True)
    count = tokenizer_cases.build(out)
    notes["tokenizer_cases"] = f"tokenizer/expectations.json: {count} CLIPTokenizer edge cases (ids, decodings) from transformers"
    print("single-file ...", flush=True)
    common.set_determinism(0)
    notes["single-file"] = single_file.build(out)
    notes["tokenizer"] = ("vocab.json/merges.txt built from open_clip/bpe_simple_vocab_16e6.txt.gz; "
                          "tiny-sd*/tokenizer/{vocab.json,merges.txt} are relative symlinks to ../../tokenizer/")
    notes["text_encoder_key_layout"] = (
        "transformers 5 saves CLIPTextModel keys WITHOUT the 'text_model.' prefix (tiny-sd1 keeps that); "
        "tiny-sd2/text_encoder/model.safetensors was rewritten with safetensors to the transformers-4 layout "
        "WITH the 'text_model.' prefix (as in real SD checkpoints). transformers 5 loads both.")
    print("ops ...", flush=True)
    common.set_determinism(0)
    ops.build(os.path.join(out, "ops"))
    print("schedulers ...", flush=True)
    common.set_determinism(0)
    schedulers.build(os.path.join(out, "schedulers"))
    print("lora ...", flush=True)
    common.set_determinism(0)
    notes["lora"] = lora.build(out)
    print("prompt-syntax ...", flush=True)
    common.set_determinism(0)
    notes["prompt-syntax"] = prompt_syntax.build(out)
    print("inpaint ...", flush=True)
    common.set_determinism(0)
    notes["inpaint"] = inpaint.build(out)
    for name, module in (("controlnet", controlnet), ("controlnet-single-file", controlnet_single_file),
                         ("canny", canny)):
        print(f"{name} ...", flush=True)
        common.set_determinism(0)
        notes[name] = module.build(out)
    common.write_json(os.path.join(out, "MANIFEST.json"), manifest(out, notes), sort_keys=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "Fixtures"), help="output folder (default: Fixtures/)")
    ap.add_argument("--check", action="store_true",
                    help="generate into a temporary folder and compare sha256s with <out>/MANIFEST.json")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    if not args.check:
        generate(args.out)
        print(f"wrote {args.out}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        generate(tmp)
        new = json.load(open(os.path.join(tmp, "MANIFEST.json")))
        old = json.load(open(os.path.join(args.out, "MANIFEST.json")))
        bad = sorted(k for k in set(new["files"]) | set(old["files"]) if new["files"].get(k) != old["files"].get(k))
        if old["versions"] != new["versions"]:
            print("versions differ:", old["versions"], new["versions"])
        for k in bad:
            print("differs:", k)
        print("OK: byte-identical" if not bad else f"{len(bad)} file(s) differ")
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
