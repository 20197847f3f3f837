import DiffuseCore

/// The standard architectures a single-file checkpoint is recognised as without `--config`: its family
/// (`SingleFileCheckpoint.Family`, from the key prefixes, as diffusers' `infer_diffusers_model_type` in
/// loaders/single_file_utils.py) and its tensor shapes:
///
/// - UNet `conv_in` must be [320, 4, 3, 3] ([384, 4, 3, 3] for the SDXL refiner); inpainting
///   checkpoints, 9 input channels, are refused;
/// - the cross-attention context width (`to_k` of the first attention: [C_0, C] at
///   `input_blocks.1.1` for SD 1.x / 2.x, [C_1, C] at `input_blocks.4.1` for SDXL, whose first level has
///   none) must be the family's: C = 768 (CLIP) → SD 1.5; 1024 (OpenCLIP) → SD 2.1; 2048 (CLIP ⊕
///   OpenCLIP bigG) → SDXL base 1.0; 1280 (bigG) → SDXL refiner 1.0.
///
/// SD 2.x comes as 768 px v-prediction (2.0, 2.1) and 512 px epsilon (2.0-base, 2.1-base) models with
/// the same shapes; the weights cannot tell them apart. Like diffusers for a file without
/// `global_step` (every .safetensors), the default is the 768 px v-prediction SD 2.1 config;
/// `predictionType: "epsilon"` picks the 2.1-base config (512 px, epsilon) instead.
public enum StandardModel: String, Sendable, CaseIterable {
    case sd15 = "sd15"
    case sd21 = "sd21"
    case sd21Base = "sd21-base"
    case sdxl = "sdxl"
    case sdxlRefiner = "sdxl-refiner"

    static let convIn = "model.diffusion_model.input_blocks.0.0.weight"

    /// The `to_k` of the first cross-attention in `family`'s UNet: [channels, context width].
    static func contextKey(_ family: SingleFileCheckpoint.Family) -> String {
        let block = family == .sd1 || family == .sd2 ? 1 : 4
        return "model.diffusion_model.input_blocks.\(block).1.transformer_blocks.0.attn2.to_k.weight"
    }

    /// The standard models of each family: UNet base channels (`conv_in` rows), context width.
    static let standardShapes: [SingleFileCheckpoint.Family: (channels: Int, context: Int)] =
        [.sd1: (320, 768), .sd2: (320, 1024), .sdxl: (320, 2048), .sdxlRefiner: (384, 1280)]

    /// The standard model `checkpoint` is, or an `unrecognised` error saying to pass `--config`.
    public static func recognise(_ checkpoint: SingleFileCheckpoint, predictionType: String?) throws -> StandardModel {
        let path = checkpoint.path, family = checkpoint.family
        let advice = "pass --config with a diffusers folder (or hub id) holding this model's configs"
        guard let convIn = checkpoint.file.info(convIn)?.shape else {
            throw SingleFileError(.unrecognised, path: path, message: "no \(Self.convIn): cannot recognise the architecture; " + advice)
        }
        if convIn.count == 4, convIn[1] == 9 {
            throw SingleFileError(.unsupported, path: path,
                message: "an inpainting checkpoint (9 UNet input channels); Diffuse runs text-to-image / image-to-image models only")
        }
        let standard = standardShapes[family]!
        guard convIn == [standard.channels, 4, 3, 3], let context = checkpoint.file.info(contextKey(family))?.shape,
              context.count == 2 else {
            throw SingleFileError(.unrecognised, path: path,
                message: "not a standard \(family.rawValue) UNet (conv_in \(convIn), expected [\(standard.channels), 4, 3, 3]); " + advice)
        }
        guard context[1] == standard.context else {
            throw SingleFileError(.unrecognised, path: path,
                message: "cross-attention width \(context[1]) in an \(family.rawValue) checkpoint (\(checkpoint.textEncoderLayout.rawValue) text encoder) is not the standard \(standard.context) of SD 1.x (768, CLIP), 2.x (1024, OpenCLIP), SDXL base (2048) or refiner (1280); " + advice)
        }
        let model: StandardModel = switch family {
        case .sd1: .sd15
        case .sd2: predictionType == "epsilon" ? .sd21Base : .sd21
        case .sdxl: .sdxl
        case .sdxlRefiner: .sdxlRefiner
        }
        if let predictionType, family != .sd2 || !["epsilon", "v_prediction"].contains(predictionType) {
            throw SingleFileError(.invalidOption, path: path, message: family != .sd2
                ? "prediction type \"\(predictionType)\" given for an \(family.rawValue) checkpoint; it applies to SD 2.x (epsilon or v_prediction) — for other models pass --config with a scheduler_config.json"
                : "prediction type \"\(predictionType)\" must be epsilon or v_prediction")
        }
        return model
    }

    /// A short name for messages.
    public var displayName: String {
        switch self {
        case .sd15: return "Stable Diffusion 1.5 (512 px, epsilon)"
        case .sd21: return "Stable Diffusion 2.1 (768 px, v-prediction)"
        case .sd21Base: return "Stable Diffusion 2.1-base (512 px, epsilon)"
        case .sdxl: return "Stable Diffusion XL base 1.0 (1024 px, epsilon)"
        case .sdxlRefiner: return "Stable Diffusion XL refiner 1.0 (1024 px, epsilon)"
        }
    }
}
