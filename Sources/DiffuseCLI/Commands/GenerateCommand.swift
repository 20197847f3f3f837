#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import DiffuseCore
import ArgumentParser
import DiffuseImage
import DiffuseNN
import DiffusePipeline
import DiffuseSources

/// `diffuse generate`: text-to-image / image-to-image with a diffusers model folder, PNG out with the
/// generation parameters in a `parameters` text chunk (A1111 form).
///
/// Every check that needs no model runs first (names, numbers, output folder, the init image), then the
/// model's own (size multiple, memory). Errors are one line, `error: …`, exit code 1 (130 / 143 after
/// SIGINT / SIGTERM); images are written only after the whole batch is done, by `OutputWriter`: no
/// existing file is replaced without `--overwrite`, and a failed or interrupted run leaves nothing behind.
///
/// Without `--model` it uses the default model, `Models/diffuse-shapes` (see `DefaultModel`): a small
/// model trained on coloured shapes that ships with the repository, so the first command works offline.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate images from a prompt (text-to-image, image-to-image with --init-image, inpainting with --init-image and --mask, steered by ControlNets with --controlnet and --control-image).")

    @Argument(help: ArgumentHelp("The prompt (with --from-png: the PNG's unless given).", valueName: "prompt"))
    var promptText: String?

    /// The prompt (checked to be there before `generate` runs).
    var prompt: String { promptText ?? "" }

    @Option(name: .customLong("from-png"),
            help: "Re-run the parameters of a PNG written by Diffuse or AUTOMATIC1111: prompt, negative prompt, steps, sampler, CFG scale, seed, size, clip skip, batch size (the model, init image and LoRA files come from the command line).")
    var fromPNG: String?

    @OptionGroup var source: ModelOptions

    @Option(help: "What to steer away from (the unconditional half of guidance). SDXL without one: zeros, as diffusers.")
    var negativePrompt: String = ""

    @Option(name: .customLong("prompt-2"), help: "SDXL: the prompt of the second text encoder (default: the prompt).")
    var prompt2: String?

    @Option(name: .customLong("negative-prompt-2"),
            help: "SDXL: the negative prompt of the second text encoder (default: the negative prompt).")
    var negativePrompt2: String?

    @Option(help: "Denoising steps.")
    var steps: Int = 50

    @Option(name: [.customLong("guidance-scale"), .customLong("cfg-scale")],
            help: "Classifier-free guidance scale (--cfg-scale: A1111's name); ≤ 1 skips the unconditional pass.")
    var guidanceScale: Double = 7.5

    @Option(parsing: .unconditional, help: "Seed (torch-compatible), 0 … 2^64−1; -1 or absent: random, printed.")
    var seed: SeedArgument?

    @Option(name: [.customLong("scheduler"), .customLong("sampler")],
            help: "pndm|ddim|euler|euler-a|lms|dpmpp-2m|dpmpp-2m-karras|lcm, or A1111's sampler names (\"Euler a\", \"DPM++ 2M Karras\", \"PLMS\", …) (default: the model's own; lcm: LCM models and LCM-LoRAs, 2–8 steps, guidance 1–2).")
    var scheduler: String?

    @Option(help: "linspace|leading|trailing: how the steps spread over the training timesteps (default: the scheduler config's; Turbo models: trailing).")
    var timestepSpacing: String?

    @Option(help: "Image width in pixels (default: the UNet's sample_size × the VAE factor; with --init-image its width rounded down to a multiple of 8).")
    var width: Int?

    @Option(help: "Image height in pixels (default: the UNet's sample_size × the VAE factor; with --init-image its height rounded down to a multiple of 8).")
    var height: Int?

    @Option(help: "Images for the prompt, drawn as one batch; files <stem>-0.png … with N > 1.")
    var images: Int = 1

    @Option(help: "Start from this PNG or JPEG (image-to-image, inpainting), any size: resized to --width/--height (see --resize-mode).")
    var initImage: String?

    @Option(help: "Inpainting: a PNG or JPEG mask for --init-image, any size (resized with it): white = repaint, black = keep, grey values allowed.")
    var mask: String?

    @Option(help: "Image-to-image / inpainting: how much to change the init image, 0…1 (1 = from noise; default 0.8, inpainting 1.0).")
    var strength: Double?

    @Option(help: "stretch|crop|fill: how --init-image and --mask are brought to the output size (A1111's Just resize, Crop and resize, Resize and fill).")
    var resizeMode: String = "stretch"

    @Option(help: "Inpainting: blur the mask by a Gaussian of this many pixels (A1111's mask blur; default 0).")
    var maskBlur: Double = 0

    @Flag(help: "Inpainting: paste the init image's pixels back where the mask keeps them, blended by the (blurred) mask (A1111's overlay).")
    var keepUnmasked = false

    @Option(help: "SDXL refiner: the aesthetic score in the prompt's time ids (default 6.0).")
    var aestheticScore: Double = 6.0

    @Option(help: "SDXL refiner: the aesthetic score in the negative prompt's time ids (default 2.5).")
    var negativeAestheticScore: Double = 2.5

    @Option(help: "Text-encoder layers to skip from the end (diffusers clip_skip; 0 = none).")
    var clipSkip: Int = 0

    @Option(help: "plain|a1111: how prompts are read. plain (default): as diffusers, cut at 77 tokens with a warning; a1111: AUTOMATIC1111's (word:1.3), (word), [word], \\( escapes and BREAK, any length in 75-token chunks.")
    var promptSyntax: String = "plain"

    @Option(help: "Attention: \(AttentionChoice.names) (auto: SDPA, flash → memory-efficient → math).")
    var attention: String = "auto"

    @Option(help: "f32|f16|bf16 (f16/bf16: UNet + text-encoder weights in that type, f32 compute).")
    var precision: String = "f32"

    @Flag(help: "Decode (and encode) in overlapping tiles, one image at a time, as diffusers' vae.enable_tiling(): memory follows the tile, not the image.")
    var vaeTiling = false

    @Option(name: .customLong("lora"),
            help: ArgumentHelp("A LoRA .safetensors file and its scale (default 1); repeat for several at once. Formats: kohya / A1111, diffusers / PEFT, diffusers' attention processors.",
                               valueName: "file[:scale]"))
    var loras: [String] = []

    @Flag(help: "Compile the UNet (capture the first step as a graph, fuse, plan memory, replay every later step).")
    var compile = false

    @Option(help: "Rewrite this PNG with a preview of the first image while denoising (TAESD's decode with a tiny --vae, else a one-pixel-per-latent colour projection).")
    var preview: String?

    @Option(help: "With --preview: every this many steps (and after the last).")
    var previewEvery: Int = 5

    @Option(help: "Output PNG (default diffuse-<seed>.png). A taken name is not replaced: the next free one (out.2.png, …) is used and printed.")
    var output: String?

    @Flag(help: "Replace existing output files (regular files only; never a symlink or device).")
    var overwrite = false

    @Flag(help: "Print what was written as JSON on stdout (paths, seed, size, seconds); information lines go to stderr.")
    var json = false

    @Flag(help: "No progress or information lines.")
    var quiet = false

    @OptionGroup(title: "ControlNet") var control: ControlNetOptions

    @OptionGroup var memory: MemoryLimitOption

    @OptionGroup var common: CommonOptions

    mutating func run() throws {
        do {
            if let fromPNG { try applyParameters(fromPNG: fromPNG) }
            guard promptText != nil else { throw GenerateError("give a prompt (or --from-png FILE to re-run a PNG's parameters)") }
            try generate()
        } catch {
            let interrupted = Interrupt.requested
            let text = (interrupted ? "\(InterruptedError())" : "\(error)").split(whereSeparator: \.isNewline).joined(separator: "; ")
            ProgressReporter.write("error: \(text)\n")
            throw ExitCode(interrupted ? Interrupt.exitCode : 1)
        }
    }

    func generate() throws {
        do { try common.apply() } catch let error as ValidationError { throw GenerateError(error.message) }
        let request = try source.request()
        let schedulerChoice = try GenerateChoices.scheduler(scheduler)
        let spacing = try GenerateChoices.timestepSpacing(timestepSpacing)
        let precisionChoice = try GenerateChoices.precision(precision)
        let attentionChoice = try GenerateChoices.attention(attention)
        let syntax = try GenerateChoices.promptSyntax(promptSyntax,
                                                      prompts: [prompt, negativePrompt, prompt2, negativePrompt2].compactMap { $0 })
        let memoryLimit: MemoryLimit?
        do { memoryLimit = try memory.limit() } catch let error as ValidationError { throw GenerateError(error.message) }
        if compile && attentionChoice == .sliced {
            throw GenerateError("--compile cannot replay --attention sliced (it fills its result outside the backend); "
                                + "use --attention auto, flash, memory-efficient, math or vanilla, or drop --compile")
        }
        try checkNumbers()
        try control.check()

        let started = ContinuousClock.now
        Interrupt.install()
        let seed = self.seed?.value ?? UInt64.random(in: 0..<(1 << 32))
        let paths = try OutputPaths.paths(output: output, seed: seed, count: images)
        try OutputPaths.checkFolder(of: paths[0])
        let writer = OutputWriter(overwrite: overwrite)
        try writer.check(paths)
        if let preview {
            try OutputPaths.checkFolder(of: preview)
            guard !paths.contains(preview) else {
                throw GenerateError("--preview \(preview) is also the output; give the preview another file name")
            }
        }
        // LoRA files are read (and checked to be LoRAs) before the model.
        let adapters = try loras.map { argument in
            let (path, scale) = try LoRAAdapter.parse(argument)
            return try LoRAAdapter(path: path, scale: scale)
        }
        // EXIF orientation applied, as diffusers' `load_image` (`ImageOps.exif_transpose`) does.
        // Pixel counts are checked from the headers before decoding (ImageLimits), masks included.
        let picture = try initImage.map { try RGBImage(contentsOf: $0, applyingOrientation: true) }
        let maskPicture = try mask.map { try RGBImage(contentsOf: $0, applyingOrientation: true) }
        let mode = try Self.resizeMode(resizeMode)

        let reporter = ProgressReporter(quiet: quiet, infoToStandardError: json)
        // Configs only (no weights yet): every model-dependent check before the expensive load.
        let (folder, resolved) = try ModelSource.open(
            request,
            progress: quiet ? nil : DownloadProgress.standardError())
        if case .downloaded = resolved.origin { reporter.info("Model: \(resolved.location)") }
        try folder.validateSupported()
        let vae = try source.vaeFolder(progress: quiet ? nil : DownloadProgress.standardError())
        if let vae, case .downloaded = vae.resolved.origin { reporter.info("VAE: \(vae.resolved.location)") }
        let limits = GenerationLimits(folder: folder, vae: vae?.folder, attentionProcessor: attentionChoice.processor.name,
                                      precision: precisionChoice)
        try limits.checkVAE()
        // The init image (and mask) at the output size: --width/--height, else the picture's size rounded
        // down to the model's multiple (diffusers' VaeImageProcessor: Pillow's Lanczos, in --resize-mode).
        var start: InitImages? = nil
        if let picture, let path = initImage {
            let m = max(8, limits.sizeMultiple)
            guard let size = picture.targetSize(width: width, height: height, multiple: m) else {
                throw GenerateError("\(path) is \(picture.width)×\(picture.height): a side is under \(m) pixels, the smallest this model makes; give --width and --height")
            }
            try limits.checkSize(width: size.width, height: size.height, limit: nil)
            start = InitImages(picture: picture, mask: maskPicture, width: size.width, height: size.height, mode: mode,
                               maskBlur: maskBlur)
            let resizing = size.width == picture.width && size.height == picture.height ? "its own size"
                : "resized from \(picture.width)×\(picture.height), \(mode.rawValue)"
            reporter.info("Size: \(size.width)×\(size.height) (init image \(resizing))")
        }

        // ControlNets: configs checked against the model, pictures read (weights load with the pipeline).
        let controls = try control.open(limits: limits, progress: quiet ? nil : DownloadProgress.standardError(), reporter: reporter)
        // Without --width/--height or an init image, the first control picture sets the size (rounded down).
        var controlSize: (width: Int, height: Int)? = nil
        if let first = controls.first {
            let m = max(8, limits.sizeMultiple)
            if let start {
                controlSize = (start.image.width, start.image.height)
            } else if width == nil || height == nil {
                guard let size = first.picture.targetSize(width: width, height: height, multiple: m) else {
                    throw GenerateError("the control image is \(first.picture.width)×\(first.picture.height): a side is under \(m) pixels; give --width and --height")
                }
                try limits.checkSize(width: size.width, height: size.height, limit: nil)
                controlSize = size
                reporter.info("Size: \(size.width)×\(size.height) (the control image's, rounded down to a multiple of \(m))")
            } else {
                controlSize = (width!, height!)
            }
        }

        var config = GenerationConfiguration(prompt: prompt)
        config.negativePrompt = negativePrompt
        config.prompt2 = prompt2
        config.negativePrompt2 = negativePrompt2
        config.timestepSpacing = spacing
        config.aestheticScore = aestheticScore
        config.negativeAestheticScore = negativeAestheticScore
        config.steps = steps
        config.guidanceScale = guidanceScale
        config.seed = seed
        config.scheduler = schedulerChoice
        config.width = start?.image.width ?? controlSize?.width ?? width
        config.height = start?.image.height ?? controlSize?.height ?? height
        config.imagesPerPrompt = images
        config.initImage = start?.image.tensor()
        config.maskImage = start?.mask?.maskTensor()
        config.strength = strength ?? (mask == nil ? 0.8 : 1.0)
        config.clipSkip = clipSkip
        config.promptSyntax = syntax
        config.vaeTiling = vaeTiling
        config.memoryLimit = memoryLimit
        _ = try limits.validate(config)   // the processor's name says the SDPA kernel, which decides the memory

        reporter.info("Loading \(Self.modelName(request.model))…")
        let pipeline = try StableDiffusionPipeline(folder: folder, vae: vae?.folder, precision: precisionChoice,
                                                   backend: common.backend(), attention: attentionChoice.processor,
                                                   compile: compile)
        if let controlSize {
            config.controlNets = try control.conditions(controls, pipeline: pipeline, width: controlSize.width,
                                                        height: controlSize.height, mode: mode)
        }
        if Interrupt.requested { throw InterruptedError() }
        let size = try pipeline.validate(config)   // again, with the loaded pipeline
        if !adapters.isEmpty {
            for warning in try pipeline.setLoRAs(adapters) where !quiet { ProgressReporter.write("warning: \(warning)\n") }
        }

        if self.seed?.value == nil { reporter.info("Seed: \(seed)") }
        var previewFailed = false
        let generationStart = ContinuousClock.now
        let result = try pipeline.generate(config) { step in
            reporter.report(step)
            if let preview, !previewFailed, step.step % previewEvery == 0 || step.step == step.stepCount {
                do {
                    let picture = try pipeline.preview(latents: step.latents.sliced(dim: 0, 0..<1))[0]
                    try Interrupt.whileWriting { try picture.writePNG(to: preview) }
                } catch {
                    previewFailed = true   // a preview is a convenience: say so once, keep generating
                    ProgressReporter.write("warning: preview not written (\(error)); generation goes on\n")
                }
            }
            if Interrupt.requested { return .cancel }
            if step.step == step.stepCount { reporter.info("Decoding \(images == 1 ? "the image" : "\(images) images")…") }
            return .proceed
        }
        let generationSeconds = (ContinuousClock.now - generationStart).seconds
        for warning in result.warnings where !quiet { ProgressReporter.write("warning: \(warning)\n") }

        var parameters = GenerationParameters(
            prompt: prompt, negativePrompt: negativePrompt, steps: steps, sampler: pipeline.samplerName(schedulerChoice),
            guidanceScale: guidanceScale, seed: seed, width: size.width, height: size.height,
            model: Self.modelName(request.model))
        parameters.modelHash = ModelHash.short(resolved: resolved, folder: folder)
        parameters.version = DiffuseVersion.tag
        parameters.vae = source.vae.map(Self.modelName)
        parameters.strength = picture == nil ? nil : config.strength
        parameters.maskBlur = mask == nil ? nil : maskBlur
        parameters.clipSkip = clipSkip
        parameters.batchSize = images
        parameters.controlNets = control.parameterTags(controls, mode: mode)
        parameters.loras = adapters.map { GenerationParameters.LoRATag(name: $0.file.name, scale: $0.scale) }
        var pictures = result.rgbImages
        if keepUnmasked, let start { pictures = start.overlay(pictures) }
        let written = try writer.write(try zip(pictures, paths).enumerated().map { i, item in
            var p = parameters
            p.batchPosition = i
            return (path: item.1, bytes: try item.0.pngData(text: [(key: "parameters", value: p.text)]))
        })
        for (path, asked) in zip(written, paths) {
            reporter.info(path == asked ? "Wrote \(path)" : "Wrote \(path) (\(asked) exists; --overwrite replaces it)")
        }
        if json {
            print(GenerateReport(paths: written, seed: seed, width: size.width, height: size.height, steps: steps,
                                 generationSeconds: generationSeconds,
                                 totalSeconds: (ContinuousClock.now - started).seconds).json)
        }
    }

    /// Checks that need no model.
    func checkNumbers() throws {
        guard steps >= 1 else { throw GenerateError("--steps must be at least 1, got \(steps)") }
        guard previewEvery >= 1 else { throw GenerateError("--preview-every must be at least 1, got \(previewEvery)") }
        guard images >= 1, images <= GenerationLimits.maximumImages else {
            throw GenerateError("--images must be between 1 and \(GenerationLimits.maximumImages), got \(images)")
        }
        guard guidanceScale.isFinite else { throw GenerateError("--guidance-scale must be a number") }
        guard aestheticScore.isFinite, negativeAestheticScore.isFinite else {
            throw GenerateError("--aesthetic-score and --negative-aesthetic-score must be numbers")
        }
        guard clipSkip >= 0 else { throw GenerateError("--clip-skip must be 0 or more, got \(clipSkip)") }
        for (name, value) in [("--width", width), ("--height", height)] {
            guard let value else { continue }
            guard value > 0, value % 8 == 0 else {
                throw GenerateError("\(name) \(value) must be a positive multiple of 8; try \(max(8, value / 8 * 8))")
            }
            guard value <= StableDiffusionPipeline.maximumSide else {
                throw GenerateError("\(name) \(value) is too large: at most \(StableDiffusionPipeline.maximumSide)")
            }
        }
        if let strength {
            guard initImage != nil else { throw GenerateError("--strength needs --init-image") }
            guard strength >= 0, strength <= 1 else {
                throw GenerateError("--strength must be between 0 and 1, got \(strength)")
            }
        }
        if mask != nil, initImage == nil {
            throw GenerateError("--mask needs --init-image: inpainting repaints the masked part of that image")
        }
        guard maskBlur.isFinite, maskBlur >= 0, maskBlur <= 256 else {
            throw GenerateError("--mask-blur must be between 0 and 256 pixels, got \(maskBlur)")
        }
        if maskBlur > 0, mask == nil { throw GenerateError("--mask-blur needs --mask") }
        if keepUnmasked, mask == nil { throw GenerateError("--keep-unmasked needs --mask") }
        if resizeMode != "stretch", initImage == nil { throw GenerateError("--resize-mode needs --init-image") }
        _ = try Self.resizeMode(resizeMode)
    }

    /// The `--resize-mode` value.
    static func resizeMode(_ name: String) throws -> ResizeMode {
        guard let mode = ResizeMode(rawValue: name) else {
            throw GenerateError("--resize-mode must be one of \(ResizeMode.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(name)\"")
        }
        return mode
    }

    /// The folder's last path component (`Model:` field).
    static func modelName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// A ControlNet's `Model:` in the PNG parameters: the folder's or file's name without `.safetensors`.
    static func controlNetName(_ path: String) -> String {
        let name = modelName(path)
        return name.hasSuffix(".safetensors") ? String(name.dropLast(".safetensors".count)) : name
    }
}
