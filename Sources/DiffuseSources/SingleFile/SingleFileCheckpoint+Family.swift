import DiffuseNN

extension SingleFileCheckpoint {
    /// The model family a single file holds, told from its key prefixes as diffusers' loaders/single_file_utils.py
    /// does (`infer_diffusers_model_type`, `is_clip_model`, `is_open_clip_model`, `is_open_clip_sdxl_model`,
    /// `is_open_clip_sdxl_refiner_model`), without depending on the layer count:
    ///
    ///     family          text_encoder                                  text_encoder_2
    ///     sd1             cond_stage_model.transformer.* (CLIP)         —
    ///     sd2             cond_stage_model.model.* (OpenCLIP)           —
    ///     sdxl            conditioner.embedders.0.transformer.* (CLIP)  conditioner.embedders.1.model.* (OpenCLIP)
    ///     sdxlRefiner     —                                             conditioner.embedders.0.model.* (OpenCLIP)
    ///
    /// The UNet (`model.diffusion_model.*`) and the VAE (`first_stage_model.*`) are in every family.
    public enum Family: String, Sendable, CaseIterable {
        case sd1 = "SD 1.x"
        case sd2 = "SD 2.x"
        case sdxl = "SDXL base"
        case sdxlRefiner = "SDXL refiner"

        /// The components the file holds, by diffusers folder name.
        public var components: [Component] {
            switch self {
            case .sd1, .sd2: return [.unet, .vae, .textEncoder]
            case .sdxl: return [.unet, .vae, .textEncoder, .textEncoder2]
            case .sdxlRefiner: return [.unet, .vae, .textEncoder2]
            }
        }

        /// Where a text encoder is stored and in which layout; nil for a component the family does not have.
        func textEncoderMapping(_ component: Component) -> OriginalTextEncoderMapping? {
            switch (self, component) {
            case (.sd1, .textEncoder): return OriginalTextEncoderMapping(layout: .clip, prefix: "cond_stage_model.transformer.")
            case (.sd2, .textEncoder): return OriginalTextEncoderMapping(layout: .openCLIP, prefix: "cond_stage_model.model.")
            case (.sdxl, .textEncoder):
                return OriginalTextEncoderMapping(layout: .clip, prefix: "conditioner.embedders.0.transformer.")
            case (.sdxl, .textEncoder2): return OriginalTextEncoderMapping(layout: .openCLIP, prefix: "conditioner.embedders.1.model.")
            case (.sdxlRefiner, .textEncoder2):
                return OriginalTextEncoderMapping(layout: .openCLIP, prefix: "conditioner.embedders.0.model.")
            default: return nil
            }
        }

        /// The key prefix whose presence identifies the family: its OpenCLIP text encoder for SDXL (what
        /// diffusers' `xl_base` / `xl_refiner` keys look for), its only text encoder otherwise.
        var identifyingPrefix: String {
            textEncoderMapping(self == .sdxl || self == .sdxlRefiner ? .textEncoder2 : .textEncoder)!.prefix
        }

        /// The family of a file with these tensor names (UNet and VAE already checked), or the
        /// `unsupported` error saying which text encoder keys were expected.
        static func detect(_ names: [String], path: String) throws -> Family {
            func has(_ prefix: String) -> Bool { names.contains { $0.hasPrefix(prefix) } }
            // In diffusers' order: SDXL base (OpenCLIP as embedders.1) before the refiner (OpenCLIP as embedders.0).
            if let family = [Family.sdxl, .sdxlRefiner, .sd1, .sd2].first(where: { has($0.identifyingPrefix) }) {
                return family
            }
            if has("conditioner.embedders.") {
                throw SingleFileError(.unsupported, path: path,
                    message: "conditioner.embedders.* without an OpenCLIP text encoder (conditioner.embedders.1.model.* for SDXL base, conditioner.embedders.0.model.* for the SDXL refiner): not an SDXL layout Diffuse knows")
            }
            throw SingleFileError(.unsupported, path: path,
                message: "no text encoder tensors (cond_stage_model.transformer.* for SD 1.x, cond_stage_model.model.* for SD 2.x, conditioner.embedders.* for SDXL)")
        }
    }
}

/// The mapping of a component the checkpoint's family does not have (SD 1.x / 2.x: `text_encoder_2`; the
/// SDXL refiner: `text_encoder`): it owns no stored tensor, and every request is reported missing.
struct AbsentComponentMapping: WeightKeyMapping {
    func storedTensor(for modelKey: String) -> StoredTensorRef? { nil }
    func owns(storedKey: String) -> Bool { false }
}
