"""Save a diffuse-shapes pipeline folder: diffusers layout, f16 safetensors, classic CLIP tokenizer files
(Fixtures/tokenizer vocab.json + merges.txt, SD 1.5's tokenizer_config.json), PNDM with SD 1.5's config."""
import copy
import json
import os
import shutil

import torch
from diffusers import StableDiffusionPipeline
from transformers import CLIPTokenizer

import models

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
VOCAB = os.path.join(REPO, "Fixtures", "tokenizer")

# runwayml/stable-diffusion-v1-5 tokenizer/tokenizer_config.json (plain-string special tokens)
TOKENIZER_CONFIG = {"add_prefix_space": False, "bos_token": "<|startoftext|>", "do_lower_case": True,
                    "eos_token": "<|endoftext|>", "errors": "replace", "model_max_length": 77,
                    "pad_token": "<|endoftext|>", "tokenizer_class": "CLIPTokenizer",
                    "unk_token": "<|endoftext|>"}


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def tokenizer() -> CLIPTokenizer:
    return CLIPTokenizer(os.path.join(VOCAB, "vocab.json"), os.path.join(VOCAB, "merges.txt"),
                         pad_token="<|endoftext|>")


def write_tokenizer(folder: str) -> None:
    d = os.path.join(folder, "tokenizer")
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    for name in ("vocab.json", "merges.txt"):
        shutil.copyfile(os.path.join(VOCAB, name), os.path.join(d, name))
    write_json(os.path.join(d, "tokenizer_config.json"), TOKENIZER_CONFIG)
    write_json(os.path.join(d, "special_tokens_map.json"),
               {k: TOKENIZER_CONFIG[k] for k in ("bos_token", "eos_token", "pad_token", "unk_token")})


def save_pipeline(folder: str, te, un, vae) -> None:
    """f16 copies of the three models + tokenizer + PNDM scheduler, in diffusers' layout."""
    half = lambda m: copy.deepcopy(m).to(torch.float16).eval()
    pipe = StableDiffusionPipeline(vae=half(vae), text_encoder=half(te), tokenizer=tokenizer(), unet=half(un),
                                   scheduler=models.inference_scheduler(), safety_checker=None,
                                   feature_extractor=None, requires_safety_checker=False)
    pipe.save_pretrained(folder, safe_serialization=True)
    write_tokenizer(folder)  # the classic vocab.json/merges.txt layout instead of a 3.6 MB tokenizer.json
    # As SD 1.5's own scheduler_config.json: `clip_sample: false`, so that `--scheduler ddim` (which reads
    # it, default true) does not clip the model's x0 estimates to [-1, 1]. PNDM ignores it.
    path = os.path.join(folder, "scheduler", "scheduler_config.json")
    with open(path) as f:
        config = json.load(f)
    config["clip_sample"] = False
    write_json(path, dict(sorted(config.items())))
