"""The diffuse-shapes components: a small SD-architecture pipeline (diffusers/transformers classes) and
the SD 1.5 noise schedule. Sizes are chosen for ~2-core CPU training and a ≲ 10 MB f16 folder."""
import torch
from diffusers import AutoencoderKL, DDPMScheduler, PNDMScheduler, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel

TEXT_HIDDEN = 32
IMAGE_SIZE = 64
VAE_FACTOR = 4          # three VAE blocks → 64×64 pixels ↔ 16×16×4 latents
LATENT_SIZE = IMAGE_SIZE // VAE_FACTOR

# runwayml/stable-diffusion-v1-5 scheduler/scheduler_config.json (PNDM), and the same betas for training.
SD15_SCHEDULE = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                     num_train_timesteps=1000, set_alpha_to_one=False, steps_offset=1, trained_betas=None)


def text_encoder() -> CLIPTextModel:
    cfg = CLIPTextConfig(
        vocab_size=49408, hidden_size=TEXT_HIDDEN, num_hidden_layers=3, num_attention_heads=4,
        intermediate_size=4 * TEXT_HIDDEN, max_position_embeddings=77, projection_dim=TEXT_HIDDEN,
        hidden_act="quick_gelu",
        # as SD 1.5's text_encoder/config.json (legacy eos id 2 → pooled output uses argmax)
        bos_token_id=0, eos_token_id=2, pad_token_id=1,
    )
    return CLIPTextModel(cfg)


def vae(scaling_factor: float = 1.0) -> AutoencoderKL:
    return AutoencoderKL(
        in_channels=3, out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 3, up_block_types=("UpDecoderBlock2D",) * 3,
        block_out_channels=(16, 32, 64), layers_per_block=1, latent_channels=4,
        norm_num_groups=8, sample_size=IMAGE_SIZE, scaling_factor=scaling_factor,
    )


def unet() -> UNet2DConditionModel:
    return UNet2DConditionModel(
        sample_size=LATENT_SIZE, in_channels=4, out_channels=4,
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        block_out_channels=(32, 64, 64), layers_per_block=1, norm_num_groups=16,
        cross_attention_dim=TEXT_HIDDEN, attention_head_dim=4, use_linear_projection=False,
    )


def train_scheduler() -> DDPMScheduler:
    s = {k: v for k, v in SD15_SCHEDULE.items() if k not in ("set_alpha_to_one", "steps_offset")}
    return DDPMScheduler(**s, clip_sample=False)


def inference_scheduler() -> PNDMScheduler:
    return PNDMScheduler(**SD15_SCHEDULE, skip_prk_steps=True)


def count(m: torch.nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
