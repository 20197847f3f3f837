import DiffuseImage
import DiffuseModels
import DiffusePipeline

extension A1111Request {
    /// Checks every field (limits, names, the unsupported ones, the init image's header before decoding)
    /// and returns the plan; every error is a `ServerError` naming the field.
    func plan(raw: [String: JSONValue], imageToImage: Bool, limits: ServerLimits) throws -> GenerationPlan {
        let sampler = try A1111Sampler(name: sampler_name ?? sampler_index, scheduler: scheduler,
                                       field: sampler_name == nil && sampler_index != nil ? "sampler_index" : "sampler_name")
        try Self.checkUnsupported(raw, sampler: sampler)
        try Self.check("steps", steps, 1...limits.maxSteps)
        try Self.check("batch_size", batch_size, 1...limits.maxBatch)
        try Self.check("n_iter", n_iter, 1...limits.maxIterations)
        guard cfg_scale.isFinite, cfg_scale >= 0 else { throw ServerError.field("cfg_scale", "must be a number ≥ 0, got \(cfg_scale)") }
        guard seed >= -1 else { throw ServerError.field("seed", "must be -1 (random) or a seed ≥ 0, got \(seed)") }

        let (prompt, loras) = try PromptLoRA.extract(from: self.prompt)
        var config = GenerationConfiguration(prompt: prompt)
        var initImages: InitImages? = nil
        config.negativePrompt = negative_prompt
        // A1111 clients write A1111 prompts: (emphasis:1.2), [less], BREAK, more than 75 tokens. Parsed here,
        // so that an unreadable weight is a 422 naming the field before the job is queued.
        config.promptSyntax = .a1111
        for (field, text) in [("prompt", prompt), ("negative_prompt", negative_prompt)] {
            do { _ = try A1111PromptParser.parse(text) } catch { throw ServerError.field(field, "\(error)") }
        }
        config.steps = steps
        config.guidanceScale = cfg_scale
        config.seed = seed == -1 ? UInt64.random(in: 0..<(1 << 32)) : UInt64(seed)
        config.scheduler = sampler.choice
        config.imagesPerPrompt = batch_size
        var model: String? = nil
        for (key, value) in (override_settings ?? [:]).sorted(by: { $0.key < $1.key }) {
            switch (key, value) {
            case ("sd_model_checkpoint", .string(let name)): model = name
            case ("CLIP_stop_at_last_layers", .number(let n)) where n >= 1 && n == n.rounded() && n <= 12:
                config.clipSkip = Int(n) - 1
            default:
                throw ServerError.field("override_settings.\(key)", "\(value.jsonText) is not supported by Diffuse; it takes sd_model_checkpoint and CLIP_stop_at_last_layers")
            }
        }

        if imageToImage {
            let modes: [ResizeMode] = [.stretch, .crop, .fill]
            guard modes.indices.contains(resize_mode) else {
                throw ServerError.field("resize_mode", "must be 0 (just resize), 1 (crop and resize) or 2 (resize and fill), got \(resize_mode)")
            }
            guard let first = init_images?.first else {
                throw ServerError.field("init_images", "img2img needs one base64 image in init_images")
            }
            // The output is width × height (A1111's defaults 512 × 512), the init image resized to it.
            try Self.checkSide("width", width, limits: limits)
            try Self.checkSide("height", height, limits: limits)
            guard width * height <= limits.maxPixels else {
                throw ServerError.field("width", "\(width)×\(height) is more than the server's \(limits.maxPixels) pixels")
            }
            let masked = mask.map { !$0.isEmpty } ?? false
            if masked {   // the numbers first, the pictures after
                guard [0, 1].contains(inpainting_fill) else {
                    throw ServerError.field("inpainting_fill", "\(inpainting_fill) is not supported by Diffuse; send 1 (original) or 0")
                }
                guard mask_blur.isFinite, (0...256).contains(mask_blur) else {
                    throw ServerError.field("mask_blur", "must be between 0 and 256 pixels, got \(mask_blur)")
                }
            }
            let picture = try Self.decodeImage(first, field: "init_images[0]", limits: limits)
            var maskPicture: RGBImage? = nil
            if let mask, masked {
                var decoded = try Self.decodeImage(mask, field: "mask", limits: limits)
                if inpainting_mask_invert == 1 { decoded.pixels = decoded.pixels.map { 255 - $0 } }
                maskPicture = decoded
            }
            let start = InitImages(picture: picture, mask: maskPicture, width: width, height: height,
                                   mode: modes[resize_mode], maskBlur: maskPicture == nil ? 0 : mask_blur)
            let strength = denoising_strength ?? 0.75
            guard strength.isFinite, (0...1).contains(strength) else {
                throw ServerError.field("denoising_strength", "must be between 0 and 1, got \(strength)")
            }
            config.width = width
            config.height = height
            config.initImage = start.image.tensor()
            config.maskImage = start.mask?.maskTensor()
            config.strength = strength
            initImages = start
        } else {
            try Self.checkSide("width", width, limits: limits)
            try Self.checkSide("height", height, limits: limits)
            guard width * height <= limits.maxPixels else {
                throw ServerError.field("width", "\(width)×\(height) is more than the server's \(limits.maxPixels) pixels")
            }
            config.width = width
            config.height = height
        }
        return GenerationPlan(config: config, iterations: n_iter, loras: loras, promptAsSent: self.prompt,
                              sampler: sampler.choice, model: model, initImages: initImages,
                              maskBlur: config.maskImage == nil ? nil : mask_blur)
    }

    static func check(_ field: String, _ value: Int, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ServerError.field(field, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
    }

    static func checkSide(_ field: String, _ value: Int, limits: ServerLimits) throws {
        guard value >= 8, value <= limits.maxSide, value % 8 == 0 else {
            throw ServerError.field(field, "must be a multiple of 8 between 8 and \(limits.maxSide), got \(value)")
        }
    }

    /// A base64 PNG or JPEG, its header's size checked against the limits before it is decoded.
    static func decodeImage(_ text: String, field: String, limits: ServerLimits) throws -> RGBImage {
        guard let bytes = Base64.decode(text) else { throw ServerError.field(field, "is not base64") }
        guard let size = ImageHeader.size(of: bytes) else { throw ServerError.field(field, "is not a PNG or JPEG image") }
        guard size.width >= 1, size.height >= 1, size.width <= limits.maxSide, size.height <= limits.maxSide,
              size.width * size.height <= limits.maxPixels else {
            throw ServerError.field(field, "the image is \(size.width)×\(size.height); at most \(limits.maxSide) a side and \(limits.maxPixels) pixels")
        }
        do { return try RGBImage(data: bytes, source: field) } catch {
            throw ServerError.field(field, "cannot be decoded: \(error)")
        }
    }
}
