import DiffuseCore
import DiffuseModels
import DiffuseNN

/// A Stable Diffusion 1.x / 2.x / XL checkpoint in one `.safetensors` file, in the original CompVis /
/// Stability key layout (what A1111, ComfyUI and civitai distribute):
///
///     model.diffusion_model.*                  the UNet (input_blocks / middle_block / output_blocks; SDXL: + label_emb)
///     first_stage_model.*                      the VAE (encoder.down.N.block.M …, mid.attn_1 as 1×1 convs)
///     cond_stage_model.transformer.*           SD 1.x: OpenAI CLIP ViT-L/14 (transformers layout)
///     cond_stage_model.model.*                 SD 2.x: OpenCLIP ViT-H/14 (fused q/k/v)
///     conditioner.embedders.0.transformer.*    SDXL base: CLIP ViT-L/14 (text_encoder)
///     conditioner.embedders.1.model.*          SDXL base: OpenCLIP ViT-bigG/14 (text_encoder_2)
///     conditioner.embedders.0.model.*          SDXL refiner: OpenCLIP ViT-bigG/14 (text_encoder_2; no text_encoder)
///
/// Loading matches diffusers' `StableDiffusionPipeline.from_single_file` (and the SDXL pipelines')
/// (loaders/single_file.py, loaders/single_file_utils.py), without converting: each component's
/// `WeightStore` is a renaming view over the memory-mapped file (`OriginalUNetMapping`,
/// `OriginalVAEMapping`, `OriginalTextEncoderMapping`); only the q/k/v splits, the VAE attention
/// reshapes and the transposed OpenCLIP `text_projection` differ from the stored tensors (the first two
/// are views, the projection a small copy). Other tensors (the DDPM buffers `betas`, `alphas_cumprod`…, `model_ema.*`,
/// `first_stage_model.loss.*`, CLIP's `position_ids`, OpenCLIP's `logit_scale`, and SD 2's unused
/// `text_projection`) are ignored, as diffusers does.
///
/// Pickle checkpoints (`.ckpt`, `.pt`, `.pth`, `.bin`) are refused before anything is read.
public struct SingleFileCheckpoint: Sendable {
    /// A text encoder's key layout.
    public enum TextEncoderLayout: String, Sendable {
        /// OpenAI CLIP in the transformers layout (SD 1.x; SDXL's `text_encoder`).
        case clip = "CLIP"
        /// OpenCLIP (SD 2.x; SDXL's `text_encoder_2`), q/k/v fused.
        case openCLIP = "OpenCLIP"
    }

    /// The components, by diffusers folder name. Which ones a file holds: `Family.components`.
    public enum Component: String, Sendable, CaseIterable {
        case unet, vae, textEncoder = "text_encoder", textEncoder2 = "text_encoder_2"
    }

    public static let pickleExtensions = [".ckpt", ".pt", ".pth", ".bin"]

    public let path: String
    public let file: SafeTensorsFile
    /// The model family, from the key prefixes.
    public let family: Family

    /// The layout of `text_encoder` (SD 1.x and SDXL base: CLIP; SD 2.x: OpenCLIP); for the SDXL
    /// refiner, which has no `text_encoder`, that of its `text_encoder_2` (OpenCLIP).
    public var textEncoderLayout: TextEncoderLayout {
        (family.textEncoderMapping(.textEncoder) ?? family.textEncoderMapping(.textEncoder2)!).layout
    }

    /// Whether `path` names a single checkpoint file (by its extension: `.safetensors` or a pickle
    /// format), as opposed to a model folder or hub id.
    public static func isCheckpointFile(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".safetensors") || pickleExtensions.contains(where: lower.hasSuffix)
    }

    /// Opens and validates the file: safetensors, with UNet, VAE and text encoder tensors in the
    /// original layout of one of the `Family` cases. Throws `SingleFileError` (or the safetensors error
    /// naming the file).
    public init(path: String) throws {
        try Self.refusePickle(path)
        guard ModelFolder.isFile(path) else {
            throw SingleFileError(.unreadable, path: path,
                message: ModelFolder.isDirectory(path) ? "is a folder, not a checkpoint file" : "no such file")
        }
        self.path = path
        file = try SafeTensorsFile(path: path)
        let names = file.names
        func has(_ prefix: String) -> Bool { names.contains { $0.hasPrefix(prefix) } }
        if has("unet.") || has("text_encoder.") {
            throw SingleFileError(.unsupported, path: path,
                message: "tensors are in the diffusers layout (unet.*, vae.*, text_encoder.*), not the original one; save it as a diffusers folder and pass that")
        }
        let required = [(OriginalUNetMapping.prefix, "UNet"), (OriginalVAEMapping.prefix, "VAE")]
        for (prefix, what) in required where !has(prefix) {
            let found = Set(names.map { $0.split(separator: ".").first.map(String.init) ?? $0 }).sorted().prefix(8)
            throw SingleFileError(.unsupported, path: path,
                message: "no \(what) tensors (\(prefix)*): not a Stable Diffusion single-file checkpoint in the original layout (found \(found.joined(separator: ", ")))")
        }
        family = try Family.detect(names, path: path)
    }

    /// Throws the pickle refusal for `.ckpt` / `.pt` / `.pth` / `.bin`.
    public static func refusePickle(_ path: String) throws {
        let lower = path.lowercased()
        guard let ext = pickleExtensions.first(where: lower.hasSuffix) else { return }
        throw SingleFileError(.pickle, path: path, message:
            "\(ext) files are PyTorch pickles, and loading a pickle can run arbitrary code, so Diffuse does not read them. "
            + "Convert it once with diffusers: python -c \"from diffusers import StableDiffusionPipeline; "
            + "StableDiffusionPipeline.from_single_file('\(path)').save_pretrained('model-dir')\" "
            + "and pass the folder (or save the state dict with safetensors and pass the .safetensors file)")
    }

    /// The key mapping of one component for configs `folder`.
    func mapping(_ component: Component, folder: ModelFolder) -> any WeightKeyMapping {
        switch component {
        case .unet: return OriginalUNetMapping(config: folder.unet)
        case .vae: return OriginalVAEMapping(config: folder.vae)
        case .textEncoder, .textEncoder2: return family.textEncoderMapping(component) ?? AbsentComponentMapping()
        }
    }

    /// A `WeightStore` for one component: the file's tensors under the component's prefix, requested
    /// by diffusers key. `dtype` as `WeightStore(files:dtype:)`. A component the family lacks (e.g.
    /// `text_encoder_2` of an SD 1.x file) gives a store holding nothing, in which every request is missing.
    public func weightStore(_ component: Component, folder: ModelFolder, dtype: DType?) -> WeightStore {
        let store = WeightStore(file: file, mapping: mapping(component, folder: folder), dtype: dtype,
                                source: "\(path) (\(component.rawValue))")
        if component == .vae {
            store.ignoreUnused(prefix: OriginalVAEMapping.prefix + "loss.")  // training-only (LPIPS / discriminator)
        }
        if let text = family.textEncoderMapping(component) {
            let config = component == .textEncoder ? folder.textEncoder : folder.textEncoder2
            let projection = folder.modelIndex[component.rawValue]?.className == "CLIPTextModelWithProjection"
            for prefix in text.ignoredPrefixes(layers: config?.numHiddenLayers ?? 64, projection: projection) {
                store.ignoreUnused(prefix: prefix)
            }
        }
        store.hint = family.components.contains(component)
            ? "Check that the configs (\(folder.path)) describe this checkpoint's architecture; "
                + "missing tensors are named by their original-layout key (→ the diffusers key they load into)."
            : "This \(family.rawValue) checkpoint has no \(component.rawValue)."
        return store
    }
}
