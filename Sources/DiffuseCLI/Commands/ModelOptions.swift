import ArgumentParser
import DiffusePipeline
import DiffuseSources

/// The options that say which model to use, shared by `generate` and `inspect`: a diffusers folder, a
/// hub id (cache, else download), or a single-file checkpoint with its configs; no `--model` means the
/// default model (`DefaultModel`, Models/diffuse-shapes).
struct ModelOptions: ParsableArguments {
    @Option(help: "A diffusers model folder (the one with model_index.json), a hub id org/name (Hugging Face cache, else downloaded into it; HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE) or a single-file .safetensors checkpoint. Default: Models/diffuse-shapes, the small shapes model in the repository (or DIFFUSE_DEFAULT_MODEL).")
    var model: String?

    @Option(help: "Hub id only: branch, tag or commit hash (default main).")
    var revision: String?

    @Option(help: "Single-file --model only: a diffusers folder or hub id holding its configs (default: recognise SD 1.5 / 2.1 / SDXL base from the keys and tensor shapes).")
    var config: String?

    @Option(help: "Single-file SD 2.x --model only: v_prediction (768 px 2.x, the default) or epsilon (512 px 2.x-base).")
    var predictionType: String?

    @Option(help: "Weights variant, e.g. fp16 for *.fp16.safetensors (hub ids: only those are downloaded).")
    var variant: String?

    @Option(help: "Replace the model's VAE, for decoding and image-to-image encoding: a diffusers VAE folder (config.json + diffusion_pytorch_model.safetensors) or a hub id, an AutoencoderKL or an AutoencoderTiny (TAESD: madebyollin/taesd for SD 1.x / 2.x, madebyollin/taesdxl for SDXL).")
    var vae: String?

    /// The `--vae` folder (hub ids: from the cache, else downloaded) and where it came from; nil without `--vae`.
    func vaeFolder(progress: DownloadProgress?) throws -> (folder: VAEFolder, resolved: ResolvedModel)? {
        try vae.map { try ModelSource.openVAE($0, progress: progress) }
    }

    /// What to open: `--model`, else the default model (throws `DefaultModelError` when none is found).
    func request() throws -> ModelSource.Request {
        ModelSource.Request(model: try model ?? DefaultModel.resolve(), revision: revision, variant: variant,
                            config: config, predictionType: predictionType)
    }
}
