#!/usr/bin/env python3
"""The done-when check of `diffuse serve` (issue #19): the `webuiapi` client (PyPI), used as its README
shows, gets from `diffuse serve` the same image `diffuse generate` makes for the same seed, sampler and size.

    pip install webuiapi
    swift build -c release
    python Scripts/try_webuiapi.py [--diffuse .build/release/diffuse] [--model Fixtures/tiny-sd1]

Starts `diffuse serve` on a free port, calls it with webuiapi (txt2img, then img2img of the result), runs
`diffuse generate` with the same parameters, and compares the pixels (they must be identical: one process,
the same code path). Prints one line per check; exit status 0 when all pass.
"""
import argparse, os, socket, subprocess, sys, tempfile, time, urllib.request

import numpy as np
import webuiapi
from PIL import Image


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, server, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit(f"diffuse serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit("diffuse serve did not become healthy")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--diffuse", default=".build/debug/diffuse")
    ap.add_argument("--model", default="Fixtures/tiny-sd1")
    a = ap.parse_args()
    port = free_port()
    server = subprocess.Popen([a.diffuse, "serve", "--model", a.model, "--port", str(port)],
                              stderr=subprocess.DEVNULL)
    failures = 0
    try:
        wait_healthy(port, server)
        # As webuiapi's README shows.
        api = webuiapi.WebUIApi(host="127.0.0.1", port=port)
        params = dict(prompt="a photo of a cat", negative_prompt="blurry", seed=1234, cfg_scale=7, steps=20,
                      sampler_name="Euler", width=32, height=32)
        result = api.txt2img(**params)
        served = np.asarray(result.image.convert("RGB"))
        print("txt2img via webuiapi:", result.image.size, "seed", result.info.get("seed"),
              "| parameters chunk:", result.image.info.get("parameters", "").replace("\n", " / "))

        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "generated.png")
            subprocess.run([a.diffuse, "generate", params["prompt"], "--model", a.model, "--negative-prompt", "blurry",
                            "--seed", "1234", "--guidance-scale", "7", "--steps", "20", "--scheduler", "euler",
                            "--width", "32", "--height", "32", "--output", out, "--quiet"], check=True)
            generated = np.asarray(Image.open(out).convert("RGB"))
            same = served.shape == generated.shape and np.array_equal(served, generated)
            print("txt2img equals `diffuse generate`:", "yes" if same else
                  f"NO (max difference {np.abs(served.astype(int) - generated.astype(int)).max()})")
            failures += not same

            result2 = api.img2img(images=[result.image], prompt="a photo of a dog", seed=99, cfg_scale=7, steps=20,
                                  sampler_name="Euler a", denoising_strength=0.6, width=32, height=32)
            served2 = np.asarray(result2.image.convert("RGB"))
            init = os.path.join(tmp, "init.png")
            result.image.save(init)
            out2 = os.path.join(tmp, "generated2.png")
            subprocess.run([a.diffuse, "generate", "a photo of a dog", "--model", a.model, "--seed", "99",
                            "--guidance-scale", "7", "--steps", "20", "--scheduler", "euler-a", "--init-image", init,
                            "--strength", "0.6", "--output", out2, "--quiet"], check=True)
            generated2 = np.asarray(Image.open(out2).convert("RGB"))
            same2 = np.array_equal(served2, generated2)
            print("img2img equals `diffuse generate --init-image`:", "yes" if same2 else
                  f"NO (max difference {np.abs(served2.astype(int) - generated2.astype(int)).max()})")
            failures += not same2
    finally:
        server.terminate()
        code = server.wait(timeout=60)
        print("SIGTERM: diffuse serve exited with", code)
        failures += code != 0
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
