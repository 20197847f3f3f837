"""Full-size VAE check (not run by CI): the SD 1.5 VAE config with seeded random weights, and diffusers'
decode/encode at a small non-square size, batch 2, written to OUT (default /tmp/vaecheck). Then:

    DIFFUSE_VAE_CHECK_DIR=OUT swift test --filter VAEFullSize
"""
import os, sys, torch, json, math
from diffusers import AutoencoderKL
from safetensors.torch import save_file
torch.manual_seed(0); torch.set_num_threads(1)
out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/vaecheck"
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
cfg = json.load(open(os.path.join(root, "Fixtures/configs/sd15/vae.json")))
cfg = {k: v for k, v in cfg.items() if not k.startswith("_")}
vae = AutoencoderKL(**cfg).eval()
g = torch.Generator().manual_seed(1)
with torch.no_grad():
    for name, p in vae.named_parameters():
        if p.ndim >= 2:
            fan_in = p[0].numel()
            p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(fan_in))
        elif "norm" in name and name.endswith("weight"):
            p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
        else:
            p.copy_(0.05 * torch.randn(p.shape, generator=g))
vae.save_pretrained(os.path.join(out, "vae"), safe_serialization=True)
z = torch.randn([2, 4, 8, 6], generator=g)
x = torch.rand([2, 3, 64, 40], generator=g) * 2 - 1
with torch.no_grad():
    dec = vae.decode(z).sample
    post = vae.encode(x).latent_dist
print(dec.abs().max(), post.mean.abs().max(), post.logvar.abs().max())
save_file({"decode.input": z, "decode.expected": dec.contiguous(), "encode.input": x,
           "encode.mean": post.mean.contiguous(), "encode.logvar": post.logvar.contiguous()},
          os.path.join(out, "reference.safetensors"))
