import ArgumentParser
import DiffuseImage
import DiffuseModels
import DiffusePipeline
import DiffuseSources

/// `diffuse generate`'s ControlNet options. Each `--controlnet` is one ControlNet; the other options are
/// given once per ControlNet in the same order, or once for all of them (or not at all: the defaults).
///
///     diffuse generate "a house" --model runwayml/stable-diffusion-v1-5 \
///         --controlnet lllyasviel/sd-controlnet-canny --control-image photo.jpg --control-preprocess canny
struct ControlNetOptions: ParsableArguments {
    @Option(name: .customLong("controlnet"),
            help: "A ControlNet: a diffusers ControlNet folder, a hub id (e.g. lllyasviel/sd-controlnet-canny) or a single .safetensors file (original or diffusers layout). Repeat for several (their residuals add up).")
    var controlNets: [String] = []

    @Option(name: .customLong("control-image"),
            help: "The control picture (PNG or JPEG, any size) of each --controlnet, in order, or one for all: resized to the output size (--resize-mode). Without --width/--height or --init-image the first one sets the size.")
    var images: [String] = []

    @Option(name: .customLong("control-scale"), help: "How strongly each ControlNet steers (diffusers' controlnet_conditioning_scale; default 1.0), once per --controlnet or once for all.")
    var scales: [Double] = []

    @Option(name: .customLong("control-start"), help: "The fraction of the steps after which each ControlNet starts (default 0).")
    var starts: [Double] = []

    @Option(name: .customLong("control-end"), help: "The fraction of the steps after which each ControlNet stops (default 1).")
    var ends: [Double] = []

    @Option(name: .customLong("control-preprocess"),
            help: "none|canny: what is done to each control picture after resizing. canny: OpenCV's Canny edges (white on black), so a photo can steer a canny ControlNet (default none: the picture is already a control map).")
    var preprocess: [String] = []

    @Option(name: .customLong("canny-low"), help: "--control-preprocess canny: the lower hysteresis threshold (default 100, as A1111).")
    var cannyLow: Double = 100

    @Option(name: .customLong("canny-high"), help: "--control-preprocess canny: the upper hysteresis threshold (default 200).")
    var cannyHigh: Double = 200

    @Flag(name: .customLong("control-guess-mode"),
          help: "diffusers' guess mode for every ControlNet: it sees only the prompt's half of guidance and its residuals grow from 0.1× to 1× down the network, so it steers even with an empty prompt.")
    var guessMode = false

    @Option(name: .customLong("controlnet-config"),
            help: "Single-file --controlnet only: a diffusers ControlNet config.json (or its folder) to use instead of recognising SD 1.x / 2.x / SDXL from the tensor shapes.")
    var config: String?

    /// A ControlNet opened (config, weight files) with its picture read, before the model loads.
    struct Opened {
        let files: ControlNetFiles
        let resolved: ResolvedModel
        let picture: RGBImage
        let canny: Bool
        let scale: Double
        let start: Double
        let end: Double
    }

    var isEmpty: Bool { controlNets.isEmpty }

    /// Counts and values, before anything is read.
    func check() throws {
        guard !controlNets.isEmpty else {
            let given = [("--control-image", !images.isEmpty), ("--control-scale", !scales.isEmpty), ("--control-start", !starts.isEmpty),
                         ("--control-end", !ends.isEmpty), ("--control-preprocess", !preprocess.isEmpty), ("--controlnet-config", config != nil),
                         ("--control-guess-mode", guessMode)]
            if let (name, _) = given.first(where: \.1) { throw GenerateError("\(name) needs --controlnet") }
            return
        }
        let n = controlNets.count
        guard !images.isEmpty else { throw GenerateError("--controlnet needs --control-image (the picture that steers it)") }
        for (name, count) in [("--control-image", images.count), ("--control-scale", scales.count), ("--control-start", starts.count),
                              ("--control-end", ends.count), ("--control-preprocess", preprocess.count)] where count > 1 && count != n {
            throw GenerateError("\(name) is given \(count) times for \(n) --controlnet; give it once per ControlNet, or once for all")
        }
        for p in preprocess where !["none", "canny"].contains(p) {
            throw GenerateError("--control-preprocess must be none or canny, got \(p)")
        }
        for (name, value) in [("--canny-low", cannyLow), ("--canny-high", cannyHigh)] where !value.isFinite || value < 0 || value > 10_000 {
            throw GenerateError("\(name) must be between 0 and 10000 (gradient magnitude; usual 50–250), got \(value)")
        }
        let limit = GenerationLimits.maximumControlScale
        for s in scales where !s.isFinite || abs(s) > limit {
            throw GenerateError("--control-scale must be between -\(Int(limit)) and \(Int(limit)) (usual 0.5–1.5), got \(s)")
        }
        for i in 0..<n {
            let s = Self.pick(starts, i, 0), e = Self.pick(ends, i, 1)
            guard s >= 0, s < e, e <= 1 else {
                throw GenerateError("--control-start and --control-end must satisfy 0 ≤ start < end ≤ 1 (fractions of the steps), got \(s) and \(e)")
            }
        }
    }

    /// The i-th value of an option given once per ControlNet or once for all; `fallback` when not given.
    static func pick<T>(_ values: [T], _ i: Int, _ fallback: T) -> T {
        values.isEmpty ? fallback : values.count == 1 ? values[0] : values[i]
    }

    /// Opens every ControlNet's config (hub ids: cache, else download) and checks it against the model,
    /// and reads every picture (pixel counts checked from the header, EXIF orientation applied). No weights yet.
    func open(limits: GenerationLimits, progress: DownloadProgress?, reporter: ProgressReporter) throws -> [Opened] {
        var pictures: [String: RGBImage] = [:]
        return try controlNets.enumerated().map { i, argument in
            let (files, resolved) = try ModelSource.openControlNet(argument, config: config, progress: progress)
            if case .downloaded = resolved.origin { reporter.info("ControlNet: \(resolved.location)") }
            try limits.checkControlNet(files.config, path: files.path)
            let path = Self.pick(images, i, images[0])
            let picture = try pictures[path] ?? RGBImage(contentsOf: path, applyingOrientation: true)
            pictures[path] = picture
            return Opened(files: files, resolved: resolved, picture: picture, canny: Self.pick(preprocess, i, "none") == "canny",
                          scale: Self.pick(scales, i, 1), start: Self.pick(starts, i, 0), end: Self.pick(ends, i, 1))
        }
    }

    /// The run's ControlNets: each model loaded in the UNet's dtype, its picture brought to the output size
    /// in `mode` (then edges found, with canny) as diffusers' `control_image_processor` takes it.
    func conditions(_ opened: [Opened], pipeline: StableDiffusionPipeline, width: Int, height: Int,
                    mode: ResizeMode) throws -> [ControlNetCondition] {
        try opened.map { o in
            let model = try pipeline.makeControlNet(config: o.files.config, weights: o.files.weightStore(dtype: pipeline.unet.dtype))
            var picture = o.picture.resized(width: width, height: height, mode: mode)
            if o.canny { picture = picture.cannyEdges(low: cannyLow, high: cannyHigh) }
            return ControlNetCondition(model: model, image: picture.controlTensor(), scale: o.scale, start: o.start, end: o.end,
                                       guessMode: guessMode)
        }
    }

    /// The PNG parameters' entries, as A1111's ControlNet extension writes them (`ControlNet 0: "Module: canny,
    /// Model: …, Weight: 1.0, …"`).
    func parameterTags(_ opened: [Opened], mode: ResizeMode) -> [GenerationParameters.ControlNetTag] {
        opened.map { o in
            GenerationParameters.ControlNetTag(module: o.canny ? "canny" : "none", model: GenerateCommand.controlNetName(o.resolved.model),
                                               weight: o.scale, resizeMode: mode, thresholds: o.canny ? (cannyLow, cannyHigh) : nil,
                                               start: o.start, end: o.end, guessMode: guessMode)
        }
    }
}
