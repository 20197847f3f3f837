#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseCore
import Testing
import DiffuseCPU
import DiffuseImage
import DiffusePipeline
import DiffuseTestSupport

/// Loaded fixture pipelines (tiny-sd1, tiny-sd2, …), shared by the tests of this target.
enum PipelineFixture {
    nonisolated(unsafe) private static var cache: [String: StableDiffusionPipeline] = [:]
    private static let lock = Lock()

    /// `name` with `vae` (a folder relative to Fixtures/, e.g. `tiny-taesd`) in place of its VAE when given.
    static func pipeline(_ name: String, vae: String? = nil, precision: Precision = .f32) throws -> StableDiffusionPipeline {
        let key = name + "/" + precision.rawValue + (vae.map { "/vae=" + $0 } ?? "")
        return try lock.withLock {
            if let cached = cache[key] { return cached }
            let pipe = try StableDiffusionPipeline(path: FixturePaths.path(name), vae: vae.map(FixturePaths.path),
                                                   precision: precision)
            cache[key] = pipe
            return pipe
        }
    }

    static func reference(_ name: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(path: FixturePaths.path(name + "/reference.safetensors"))
    }

    static func cases(_ name: String) throws -> (cases: [PipelineCase], tensors: SafeTensorsFile) {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path(name + "/pipeline_cases.json")))
        return (try JSONDecoder().decode([PipelineCase].self, from: data),
                try SafeTensorsFile(path: FixturePaths.path(name + "/pipeline_cases.safetensors")))
    }
}

/// One entry of `Fixtures/tiny-sd*/pipeline_cases.json` (Scripts/fixtures/pipeline_cases.py).
struct PipelineCase: Decodable, Sendable, CustomStringConvertible {
    let `case`: String
    let prompt: String
    let negative_prompt: String
    let steps: Int
    let guidance: Double
    let seed: UInt64
    let scheduler: String?
    let width: Int
    let height: Int
    let images: Int
    let img2img: Bool
    let strength: Double
    /// SDXL cases: the second encoder's prompts (nil: the first's); any case: a timestep spacing override.
    var prompt_2: String? = nil
    var negative_prompt_2: String? = nil
    var timestep_spacing: String? = nil
    /// SDXL refiner cases: the time ids' aesthetic scores.
    var aesthetic_score: Double? = nil
    var negative_aesthetic_score: Double? = nil
    /// tiny-taesd cases: the VAE folder (relative to Fixtures/) that replaces the model's.
    var vae: String? = nil
    /// prompt-syntax cases: the fixture model they run on.
    var model: String? = nil

    var description: String { `case` }

    /// The configuration; `initImage` from the `<case>.init_image` pixels for image-to-image.
    func configuration(initImage: Tensor?) throws -> GenerationConfiguration {
        var c = GenerationConfiguration(prompt: prompt)
        c.negativePrompt = negative_prompt
        c.steps = steps
        c.guidanceScale = guidance
        c.seed = seed
        c.scheduler = try scheduler.map { name in
            guard let choice = SchedulerChoice(rawValue: name) else { throw PipelineError(.invalidConfiguration, "unknown scheduler \(name)") }
            return choice
        }
        c.imagesPerPrompt = images
        c.prompt2 = prompt_2
        c.negativePrompt2 = negative_prompt_2
        c.timestepSpacing = timestep_spacing
        if let aesthetic_score { c.aestheticScore = aesthetic_score }
        if let negative_aesthetic_score { c.negativeAestheticScore = negative_aesthetic_score }
        if img2img {
            c.initImage = initImage
            c.strength = strength
        } else {
            c.width = width
            c.height = height
        }
        return c
    }
}

/// uint8 pixels [H, W, 3] (stored as i32) → [1, 3, H, W] in [-1, 1], as diffusers' `VaeImageProcessor`
/// does: `x / 255` (f32), then `2x − 1`.
func normalizedImage(_ pixels: Tensor) -> Tensor {
    let (h, w) = (pixels.size(0), pixels.size(1))
    let values = pixels.hostContiguous()
    var out = [Float](repeating: 0, count: 3 * h * w)
    for y in 0..<h { for x in 0..<w { for c in 0..<3 {
        let v = Float(values.scalar(atFlat: (y * w + x) * 3 + c)) / 255
        out[(c * h + y) * w + x] = 2 * v - 1
    } } }
    return Tensor(out, shape: [1, 3, h, w])
}

/// diffusers' postprocess of images [N, 3, H, W] in [-1, 1] → uint8 values [N, H, W, 3] as Int:
/// `(x / 2 + 0.5).clamp(0, 1)`, `× 255`, numpy `round` (half to even).
func pixels(_ images: Tensor) -> [Int] {
    let (n, h, w) = (images.size(0), images.size(2), images.size(3))
    let v = images.hostContiguous().floats()
    var out = [Int](repeating: 0, count: n * h * w * 3)
    for b in 0..<n { for y in 0..<h { for x in 0..<w { for c in 0..<3 {
        let f = min(max(v[((b * 3 + c) * h + y) * w + x] / 2 + 0.5, 0), 1)
        out[((b * h + y) * w + x) * 3 + c] = Int((f * 255).rounded(.toNearestOrEven))
    } } } }
    return out
}

/// Largest |a − b| over two pixel lists, and how many differ.
func pixelDifference(_ a: [Int], _ b: [Int]) -> (max: Int, differing: Int) {
    var worst = 0, differing = 0
    for (x, y) in zip(a, b) where x != y {
        worst = max(worst, abs(x - y))
        differing += 1
    }
    return (worst, differing)
}

/// A fixture folder's `cases.json` (the `PipelineCase` fields and a suite's own, `Extra`) and
/// `cases.safetensors`, as `save_cases(…, stem="cases")` writes them (Scripts/fixtures/pipeline_cases.py).
enum CaseFiles {
    static func cases<Extra: Decodable>(_ folder: String, _ extra: Extra.Type) throws -> [(PipelineCase, Extra)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path(folder + "/cases.json")))
        return zip(try JSONDecoder().decode([PipelineCase].self, from: data),
                   try JSONDecoder().decode([Extra].self, from: data)).map { ($0, $1) }
    }

    static func tensors(_ folder: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(path: FixturePaths.path(folder + "/cases.safetensors"))
    }

    /// uint8 values [H, W, 3] stored as i32 → RGBImage.
    static func picture(_ tensors: SafeTensorsFile, _ name: String) throws -> RGBImage {
        let t = try tensors.tensor(name).hostContiguous()
        return RGBImage(width: t.size(1), height: t.size(0), pixels: (0..<t.count).map { UInt8(t.scalar(atFlat: $0)) })
    }
}

/// The PNGs `diffuse generate --output <stem>.png --images count` writes in `folder`, each with the pixels
/// diffusers gave for it: `expected` is the case's `image` tensor [N, H, W, 3] (uint8 values as i32).
func writtenImages(_ folder: String, stem: String = "out", expected: Tensor, count: Int) -> [(path: String, pixels: [Int])] {
    let all = expected.hostContiguous()
    let perImage = all.count / count
    return (0..<count).map { i in
        (folder + "/" + (count == 1 ? "\(stem).png" : "\(stem)-\(i).png"),
         (i * perImage..<(i + 1) * perImage).map { Int(all.scalar(atFlat: $0)) })
    }
}

/// A run against a fixture case `<name>.*` (timesteps, latents, decoded, image): timesteps exact, latents and
/// decoded images within `PipelineFixtureTests.compare`'s tolerance, pixels within 1 level; prints the errors
/// under `label`.
func expectMatchesCase(_ result: GenerationResult, _ tensors: SafeTensorsFile, _ name: String, label: String) throws {
    #expect(result.timesteps.map { Float($0) } == (try tensors.tensor("\(name).timesteps")).floats(), "\(name) timesteps")
    let latents = PipelineFixtureTests.compare(result.latents, try tensors.tensor("\(name).latents"))
    let decoded = PipelineFixtureTests.compare(result.images, try tensors.tensor("\(name).decoded"))
    let expected = try tensors.tensor("\(name).image").hostContiguous()
    let diff = pixelDifference(result.rgbImages.flatMap(\.pixels).map(Int.init),
                               (0..<expected.count).map { Int(expected.scalar(atFlat: $0)) })
    print("\(label) \(name): latents \(latents.maxAbsError) decoded \(decoded.maxAbsError) pixels max \(diff.max) (\(diff.differing) differ)")
    #expect(latents.passes, "\(name) latents: \(latents)")
    #expect(decoded.passes, "\(name) decoded: \(decoded)")
    #expect(diff.max <= 1, "\(name): pixels differ by up to \(diff.max)")
}
