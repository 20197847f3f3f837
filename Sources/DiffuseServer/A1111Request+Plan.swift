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
            if let mask, !mask.isEmpty {
                throw ServerError.field("mask", "inpainting is not available in this server yet; send img2img without a mask")
            }
            guard resize_mode == 0 else {
                throw ServerError.field("resize_mode", "only 0 (just resize) is available yet, got \(resize_mode)")
            }
            guard let first = init_images?.first else {
                throw ServerError.field("init_images", "img2img needs one base64 image in init_images")
            }
            let picture = try Self.decodeImage(first, field: "init_images[0]", limits: limits)
            // Resizing to width × height arrives with resize_mode; until then the sizes must agree.
            let sizeGiven = raw["width"].map { $0 != .null } == true || raw["height"].map { $0 != .null } == true
            if sizeGiven, (width, height) != (picture.width, picture.height) {
                throw ServerError.field(width != picture.width ? "width" : "height",
                    "the init image is \(picture.width)×\(picture.height) and this server does not resize yet; send width \(picture.width) and height \(picture.height), or leave them out")
            }
            let strength = denoising_strength ?? 0.75
            guard strength.isFinite, (0...1).contains(strength) else {
                throw ServerError.field("denoising_strength", "must be between 0 and 1, got \(strength)")
            }
            config.initImage = picture.tensor()
            config.strength = strength
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
                              sampler: sampler.choice, model: model)
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
