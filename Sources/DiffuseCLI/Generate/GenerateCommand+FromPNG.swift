import DiffuseImage
import DiffusePipeline

/// `diffuse generate --from-png FILE`: the parameters of a PNG written by Diffuse or AUTOMATIC1111 (its
/// `parameters` text chunk, read by `GenerationParameters(text:)`) become this run's prompt, negative
/// prompt, steps, sampler, CFG scale, seed, size, clip skip and batch size. A prompt given on the command
/// line wins; everything else (model, precision, output, …) comes from the command line. What cannot be
/// re-created from the text alone — the init image, LoRA files — must be given again, and the run says so.
extension GenerateCommand {
    mutating func applyParameters(fromPNG path: String) throws {
        let text = try RGBImage.pngText(contentsOf: path).first { $0.key == "parameters" }?.value
        guard let text else {
            throw GenerateError("--from-png \(path): the PNG has no parameters text chunk (Diffuse and AUTOMATIC1111 write one)")
        }
        let p: GenerationParameters
        do { p = try GenerationParameters(text: text) } catch { throw GenerateError("--from-png \(path): \(error)") }
        if promptText == nil { promptText = p.prompt }
        if negativePrompt.isEmpty { negativePrompt = p.negativePrompt }
        steps = p.steps
        guidanceScale = p.guidanceScale
        seed = SeedArgument(p.seed)
        var sampler = p.sampler
        if p.extra["Schedule type"]?.lowercased() == "karras", !sampler.lowercased().hasSuffix("karras") { sampler += " Karras" }
        if !sampler.isEmpty {
            guard SchedulerChoice(name: sampler) != nil else {
                throw GenerateError("--from-png \(path): its sampler \"\(sampler)\" is not one Diffuse has; give --sampler to pick another")
            }
            scheduler = sampler
        }
        if p.width > 0, p.height > 0 { (width, height) = (p.width, p.height) }
        clipSkip = p.clipSkip
        images = p.batchSize
        // A1111 reads its prompts with its emphasis syntax; Diffuse writes plain prompts unless told otherwise.
        if !(p.version ?? "").hasPrefix("diffuse") { promptSyntax = "a1111" }
        if let s = p.strength {
            guard initImage != nil else {
                throw GenerateError("--from-png \(path): it was made from an init image (Denoising strength \(s)); give that image with --init-image")
            }
            strength = s
        }
        if let blur = p.maskBlur, mask != nil { maskBlur = blur }
        if !p.loras.isEmpty, loras.isEmpty {
            throw GenerateError("--from-png \(path): it used LoRA \(p.loras.map { "\($0.name) at \($0.scale)" }.joined(separator: ", ")); give the files with --lora FILE:SCALE")
        }
        if !p.model.isEmpty, let model = (try? source.request()).map({ Self.modelName($0.model) }), p.model != model {
            ProgressReporter.write("warning: \(path) was made with model \(p.model)\(p.modelHash.map { " [\($0)]" } ?? ""); this run uses \(model)\n")
        }
    }
}
