/// Opening what `--vae` names: a diffusers VAE folder, or the hub id of a VAE repository (config.json and
/// weights at its root, such as madebyollin/taesd), from the cache or downloaded into it as `--model` is —
/// what diffusers' `AutoencoderKL.from_pretrained(id)` / `AutoencoderTiny.from_pretrained(id)` read.
///
/// The weights are the repository's default ones, `diffusion_pytorch_model.safetensors`: `--variant` applies
/// to `--model` only (TAESD has no fp16 variant; its weights are small).
extension ModelSource {
    static let vaeUsage = "--vae takes a diffusers VAE folder (config.json + diffusion_pytorch_model.safetensors) or a hub id such as madebyollin/taesd"

    /// The opened VAE folder (config decoded, weights located) and where it came from. Throws
    /// `ModelSourceError` (not found, a file, hub problems), `ModelFolderError` (layout) or `ConfigError`.
    public static func openVAE(_ vae: String, environment: [String: String] = current,
                               progress: DownloadProgress? = nil) throws -> (folder: VAEFolder, resolved: ResolvedModel) {
        let reference: ModelReference
        do {
            reference = try ModelReference.classify(vae)
        } catch let error as ModelSourceError where error.kind == .notFound {
            throw ModelSourceError(.notFound, model: vae, message: "no such folder, and not a Hugging Face hub id (org/name); " + vaeUsage)
        }
        switch reference {
        case .folder(let path):
            return (try VAEFolder(path: path), ResolvedModel(path: path, origin: .folder, model: vae))
        case .file:
            throw ModelSourceError(.invalidOption, model: vae,
                message: "is a file; " + vaeUsage + " (single-file VAE checkpoints are not read)")
        case .hub(let id):
            let resolved = try locateHub(id, revision: "main", variant: nil, layout: .vae, environment: environment,
                                         progress: progress)
            return (try VAEFolder(path: resolved.path), resolved)
        }
    }
}
