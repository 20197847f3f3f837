/// The body of `POST /sdapi/v1/txt2img` and `/img2img`: the fields of A1111's
/// `StableDiffusionProcessingTxt2Img` / `…Img2Img` API models (modules/api/models.py) that Diffuse uses,
/// with A1111's names, types and defaults. Fields Diffuse cannot honour are checked on the raw object
/// (`A1111Request+Unsupported.swift`); unknown fields are ignored, as A1111 does.
struct A1111Request: Decodable, Sendable {
    var prompt: String = ""
    var negative_prompt: String = ""
    /// -1: a random seed.
    var seed: Int64 = -1
    var sampler_name: String? = nil
    /// Deprecated name of `sampler_name` (used when `sampler_name` is absent); A1111's default "Euler".
    var sampler_index: String? = nil
    /// "Automatic" (the sampler's own sigmas) or "Karras".
    var scheduler: String? = nil
    var batch_size: Int = 1
    var n_iter: Int = 1
    var steps: Int = 50
    var cfg_scale: Double = 7.0
    var width: Int = 512
    var height: Int = 512
    /// img2img: how much to change the init image (A1111's default 0.75); txt2img: hires fix only, ignored.
    var denoising_strength: Double? = nil
    /// img2img: base64 images (raw or `data:image/…;base64,` URLs); the first is used, as A1111 does for a batch of one.
    var init_images: [String]? = nil
    /// img2img: 0 "Just resize", 1 "Crop and resize", 2 "Resize and fill" (`ResizeMode` stretch, crop, fill);
    /// 3 (latent upscale) is refused.
    var resize_mode: Int = 0
    /// img2img: inpainting mask (base64 PNG / JPEG, white = repaint).
    var mask: String? = nil
    /// Inpainting: A1111's mask blur in pixels (its default 4).
    var mask_blur: Double = 4
    /// Inpainting: 1 repaints the black part instead of the white.
    var inpainting_mask_invert: Int = 0
    /// Inpainting: what the masked area starts from — 1 "original" is what Diffuse does (diffusers' way);
    /// 0 "fill" (A1111's default) is accepted and runs as "original"; 2, 3 (latent noise / nothing) are refused.
    var inpainting_fill: Int = 0
    /// Whether to return the images (A1111: `send_images`).
    var send_images: Bool = true
    /// A1111's `override_settings` (only `sd_model_checkpoint` naming the loaded model, or empty, is accepted).
    var override_settings: [String: JSONValue]? = nil

    enum CodingKeys: String, CodingKey {
        case prompt, negative_prompt, seed, sampler_name, sampler_index, scheduler, batch_size, n_iter, steps, cfg_scale,
             width, height, denoising_strength, init_images, resize_mode, mask, mask_blur, inpainting_mask_invert,
             inpainting_fill, send_images, override_settings
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // `null` means the default, as pydantic's Optional fields do.
        prompt = try c.decodeIfPresent(String.self, forKey: .prompt) ?? prompt
        negative_prompt = try c.decodeIfPresent(String.self, forKey: .negative_prompt) ?? negative_prompt
        seed = try c.decodeIfPresent(Int64.self, forKey: .seed) ?? seed
        sampler_name = try c.decodeIfPresent(String.self, forKey: .sampler_name)
        sampler_index = try c.decodeIfPresent(String.self, forKey: .sampler_index)
        scheduler = try c.decodeIfPresent(String.self, forKey: .scheduler)
        batch_size = try c.decodeIfPresent(Int.self, forKey: .batch_size) ?? batch_size
        n_iter = try c.decodeIfPresent(Int.self, forKey: .n_iter) ?? n_iter
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? steps
        cfg_scale = try c.decodeIfPresent(Double.self, forKey: .cfg_scale) ?? cfg_scale
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? width
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? height
        denoising_strength = try c.decodeIfPresent(Double.self, forKey: .denoising_strength)
        init_images = try c.decodeIfPresent([String].self, forKey: .init_images)
        resize_mode = try c.decodeIfPresent(Int.self, forKey: .resize_mode) ?? resize_mode
        mask = try c.decodeIfPresent(String.self, forKey: .mask)
        mask_blur = try c.decodeIfPresent(Double.self, forKey: .mask_blur) ?? mask_blur
        inpainting_mask_invert = try c.decodeIfPresent(Int.self, forKey: .inpainting_mask_invert) ?? inpainting_mask_invert
        inpainting_fill = try c.decodeIfPresent(Int.self, forKey: .inpainting_fill) ?? inpainting_fill
        send_images = try c.decodeIfPresent(Bool.self, forKey: .send_images) ?? send_images
        override_settings = try c.decodeIfPresent([String: JSONValue].self, forKey: .override_settings)
    }
}
