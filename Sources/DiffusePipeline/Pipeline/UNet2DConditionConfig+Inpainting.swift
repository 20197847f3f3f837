import DiffuseModels

extension UNet2DConditionConfig {
    /// Whether this is an inpainting UNet (sd-v1-5-inpainting, stable-diffusion-2-inpainting, SDXL
    /// inpainting): it takes the latents, the mask and the masked image's latents concatenated,
    /// `in_channels` = 2 · `out_channels` + 1 (9 for SD), as diffusers' `StableDiffusionInpaintPipeline` checks.
    public var isInpainting: Bool { inChannels == 2 * outChannels + 1 }

    /// Whether the UNet works with latents of `channels` channels: it predicts that many and takes that
    /// many (an ordinary UNet) or 2 · that + 1 (an inpainting UNet).
    public func fitsLatents(_ channels: Int) -> Bool {
        outChannels == channels && (inChannels == channels || inChannels == 2 * channels + 1)
    }
}
