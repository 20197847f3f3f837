import DiffuseCore

/// The standard architectures a single-file checkpoint is recognised as without `--config`, from its
/// tensor shapes as diffusers' `infer_diffusers_model_type` (loaders/single_file_utils.py) does:
///
/// - UNet `conv_in` must be [320, 4, 3, 3] (inpainting checkpoints, 9 input channels, are refused);
/// - the cross-attention context width (`input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight`
///   [320, C]) and the text encoder's layout decide: C = 768 with CLIP → SD 1.5; C = 1024 with
///   OpenCLIP → SD 2.1.
///
/// SD 2.x comes as 768 px v-prediction (2.0, 2.1) and 512 px epsilon (2.0-base, 2.1-base) models with
/// the same shapes; the weights cannot tell them apart. Like diffusers for a file without
/// `global_step` (every .safetensors), the default is the 768 px v-prediction SD 2.1 config;
/// `predictionType: "epsilon"` picks the 2.1-base config (512 px, epsilon) instead.
public enum StandardModel: String, Sendable, CaseIterable {
    case sd15 = "sd15"
    case sd21 = "sd21"
    case sd21Base = "sd21-base"

    static let convIn = "model.diffusion_model.input_blocks.0.0.weight"
    static let contextKey = "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight"

    /// The standard model `checkpoint` is, or an `unrecognised` error saying to pass `--config`.
    public static func recognise(_ checkpoint: SingleFileCheckpoint, predictionType: String?) throws -> StandardModel {
        let path = checkpoint.path
        let advice = "pass --config with a diffusers folder (or hub id) holding this model's configs"
        guard let convIn = checkpoint.file.info(convIn)?.shape else {
            throw SingleFileError(.unrecognised, path: path, message: "no \(Self.convIn): cannot recognise the architecture; " + advice)
        }
        if convIn.count == 4, convIn[1] == 9 {
            throw SingleFileError(.unsupported, path: path,
                message: "an inpainting checkpoint (9 UNet input channels); Diffuse runs text-to-image / image-to-image models only")
        }
        guard convIn == [320, 4, 3, 3], let context = checkpoint.file.info(contextKey)?.shape, context.count == 2 else {
            throw SingleFileError(.unrecognised, path: path,
                message: "not a standard SD 1.x / 2.x UNet (conv_in \(convIn), expected [320, 4, 3, 3]); " + advice)
        }
        let model: StandardModel
        switch (context[1], checkpoint.textEncoderLayout) {
        case (768, .clip): model = .sd15
        case (1024, .openCLIP): model = predictionType == "epsilon" ? .sd21Base : .sd21
        default:
            throw SingleFileError(.unrecognised, path: path,
                message: "cross-attention width \(context[1]) with a \(checkpoint.textEncoderLayout.rawValue) text encoder is not a standard SD 1.x (768, CLIP) or 2.x (1024, OpenCLIP) model; " + advice)
        }
        if let predictionType, model == .sd15 || !["epsilon", "v_prediction"].contains(predictionType) {
            throw SingleFileError(.invalidOption, path: path, message: model == .sd15
                ? "prediction type \"\(predictionType)\" given for an SD 1.x checkpoint; it applies to SD 2.x (epsilon or v_prediction) — for other models pass --config with a scheduler_config.json"
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
        }
    }
}
