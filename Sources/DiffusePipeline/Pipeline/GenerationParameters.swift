import DiffuseImage

/// The `parameters` PNG text chunk in the form AUTOMATIC1111's web UI writes (and other Stable
/// Diffusion tools read):
///
///     a photo of a cat
///     Negative prompt: blurry
///     Steps: 50, Sampler: Euler a, CFG scale: 7.5, Seed: 1234, Size: 512x512, Model: sd15, …
///
/// The negative-prompt line is left out when empty (as A1111 does). `Model hash` (A1111's short sha256)
/// and `Version` are written when set (the CLI and the server set both). A replaced VAE adds `VAE`;
/// image-to-image adds
/// `Denoising strength`; batches add `Batch size` / `Batch pos`; `Clip skip` uses A1111's numbering
/// (1 = last layer = Diffuse's 0) and is written only when not 1. LoRA adapters are written into the
/// prompt line as A1111's prompt syntax names them, `<lora:name:scale>` (name: the file without folder
/// and extension), so A1111 applies them when the parameters are pasted back.
public struct GenerationParameters: Sendable, Equatable {
    /// A LoRA adapter as A1111's prompt syntax names it.
    public struct LoRATag: Sendable, Equatable {
        public var name: String
        public var scale: Float
        public init(name: String, scale: Float) {
            self.name = name
            self.scale = scale
        }
        public var text: String { "<lora:\(name):\(scale)>" }
    }

    public var prompt: String
    public var negativePrompt: String
    public var steps: Int
    public var sampler: String
    public var guidanceScale: Double
    public var seed: UInt64
    public var width: Int
    public var height: Int
    public var model: String
    /// A1111's short hash of the weights (`ModelHash`), written before `Model`; nil: left out.
    public var modelHash: String? = nil
    /// The program that wrote it (`Version: diffuse-0.5.0`, last, as A1111 writes its own); nil: left out.
    public var version: String? = nil
    /// The VAE given in place of the model's (its folder or hub name), nil for the model's own.
    public var vae: String? = nil
    public var strength: Double? = nil
    /// Inpainting: `--mask-blur` in pixels (A1111's "Mask blur"); nil or 0: not written.
    public var maskBlur: Double? = nil
    public var clipSkip: Int = 0
    public var batchSize: Int = 1
    public var batchPosition: Int = 0
    public var loras: [LoRATag] = []
    /// The ControlNets of the run, written as A1111's ControlNet extension writes them.
    public var controlNets: [ControlNetTag] = []
    /// Read by `init(text:)`: the pairs it has no field for (A1111's `Schedule type`, `Hires upscale`, …);
    /// not written.
    public var extra: [String: String] = [:]

    public init(prompt: String, negativePrompt: String, steps: Int, sampler: String, guidanceScale: Double,
                seed: UInt64, width: Int, height: Int, model: String) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.steps = steps
        self.sampler = sampler
        self.guidanceScale = guidanceScale
        self.seed = seed
        self.width = width
        self.height = height
        self.model = model
    }

    /// The chunk's text.
    /// One ControlNet's entry: `ControlNet 0: "Module: canny, Model: sd-controlnet-canny, Weight: 0.9, Resize Mode:
    /// Just Resize, Threshold A: 100.0, Threshold B: 200.0, Guidance Start: 0.0, Guidance End: 1.0"` (the keys of
    /// A1111's ControlNet extension; those Diffuse has no counterpart for are left out).
    public struct ControlNetTag: Sendable, Equatable {
        public var module: String
        public var model: String
        public var weight: Double
        public var resizeMode: ResizeMode
        public var thresholdA: Double?
        public var thresholdB: Double?
        public var start: Double
        public var end: Double
        /// diffusers' guess mode (written as `Guess Mode: True`, a key of Diffuse's own, only when set).
        public var guessMode = false

        public init(module: String, model: String, weight: Double, resizeMode: ResizeMode,
                    thresholds: (Double, Double)?, start: Double, end: Double, guessMode: Bool = false) {
            self.guessMode = guessMode
            self.module = module
            self.model = model
            self.weight = weight
            self.resizeMode = resizeMode
            thresholdA = thresholds?.0
            thresholdB = thresholds?.1
            self.start = start
            self.end = end
        }

        public var text: String {
            let mode = ["stretch": "Just Resize", "crop": "Crop and Resize", "fill": "Resize and Fill"][resizeMode.rawValue] ?? resizeMode.rawValue
            var parts = ["Module: \(module)", "Model: \(model)", "Weight: \(GenerationParameters.number(weight))", "Resize Mode: \(mode)"]
            if let thresholdA, let thresholdB {
                parts += ["Threshold A: \(GenerationParameters.number(thresholdA))", "Threshold B: \(GenerationParameters.number(thresholdB))"]
            }
            parts += ["Guidance Start: \(GenerationParameters.number(start))", "Guidance End: \(GenerationParameters.number(end))"]
            if guessMode { parts.append("Guess Mode: True") }
            return parts.joined(separator: ", ")
        }
    }

    public var text: String {
        var fields = ["Steps: \(steps)", "Sampler: \(sampler)", "CFG scale: \(Self.number(guidanceScale))",
                      "Seed: \(seed)", "Size: \(width)x\(height)"]
        if let modelHash { fields.append("Model hash: \(modelHash)") }
        fields.append("Model: \(model)")
        if let vae { fields.append("VAE: \(vae)") }
        if let strength { fields.append("Denoising strength: \(Self.number(strength))") }
        if let maskBlur, maskBlur > 0 { fields.append("Mask blur: \(maskBlur == maskBlur.rounded() ? "\(Int(maskBlur))" : "\(maskBlur)")") }
        if clipSkip != 0 { fields.append("Clip skip: \(clipSkip + 1)") }
        if batchSize > 1 { fields += ["Batch size: \(batchSize)", "Batch pos: \(batchPosition)"] }
        for (i, c) in controlNets.enumerated() { fields.append("ControlNet \(i): \"\(c.text)\"") }
        if let version { fields.append("Version: \(version)") }
        var lines = [([prompt] + loras.map(\.text)).joined(separator: " ")]
        if !negativePrompt.isEmpty { lines.append("Negative prompt: " + negativePrompt) }
        lines.append(fields.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// 7.5 → "7.5", 7 → "7.0" (Python's float repr, as A1111 prints).
    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? "\(Int(x)).0" : "\(x)"
    }
}
