#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseModels

/// The model families `--arch` builds with random weights: the real component configs of
/// `runwayml/stable-diffusion-v1-5` and `stabilityai/stable-diffusion-2-1` (the same files as
/// `Fixtures/configs/sd15|sd21/*.json`, which a test compares them with; `Scripts/bench_torch_models.py`
/// reads those files to build the same models in diffusers).
public enum SyntheticArch: String, Sendable, CaseIterable {
    case sd15, sd21

    /// "sd15|sd21", for help texts and errors.
    public static var names: String { allCases.map(\.rawValue).joined(separator: "|") }

    public var unet: UNet2DConditionConfig { decode(unetJSON) }
    public var vae: AutoencoderKLConfig { decode(vaeJSON) }
    public var textEncoder: CLIPTextConfig { decode(textEncoderJSON) }

    /// The default image side of the family (the UNet's `sample_size` × 8).
    public var defaultSize: Int { self == .sd15 ? 512 : 768 }

    private func decode<C: ConfigFile>(_ json: String) -> C {
        // The literals below are fixed and tested; a failure here is a programming error.
        do { return try C(jsonData: Data(json.utf8), file: "\(rawValue) built-in config") } catch {
            fatalError("built-in \(rawValue) config does not decode: \(error)")
        }
    }

    private var unetJSON: String {
        let common = """
            "_class_name": "UNet2DConditionModel", "act_fn": "silu", "block_out_channels": [320, 640, 1280, 1280],
            "center_input_sample": false, "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
            "CrossAttnDownBlock2D", "DownBlock2D"], "downsample_padding": 1, "flip_sin_to_cos": true, "freq_shift": 0,
            "in_channels": 4, "layers_per_block": 2, "mid_block_scale_factor": 1, "norm_eps": 1e-05,
            "norm_num_groups": 32, "out_channels": 4, "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D",
            "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]
            """
        switch self {
        case .sd15:
            return "{\(common), \"attention_head_dim\": 8, \"cross_attention_dim\": 768, \"sample_size\": 64}"
        case .sd21:
            return "{\(common), \"attention_head_dim\": [5, 10, 20, 20], \"cross_attention_dim\": 1024, "
                + "\"sample_size\": 96, \"dual_cross_attention\": false, \"only_cross_attention\": false, "
                + "\"num_class_embeds\": null, \"upcast_attention\": true, \"use_linear_projection\": true}"
        }
    }

    private var vaeJSON: String {
        """
        {"_class_name": "AutoencoderKL", "act_fn": "silu", "block_out_channels": [128, 256, 512, 512],
        "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
        "in_channels": 3, "latent_channels": 4, "layers_per_block": 2, "norm_num_groups": 32, "out_channels": 3,
        "sample_size": \(defaultSize), "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D",
        "UpDecoderBlock2D"]}
        """
    }

    private var textEncoderJSON: String {
        switch self {
        case .sd15:
            return """
                {"architectures": ["CLIPTextModel"], "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0,
                "eos_token_id": 2, "hidden_act": "quick_gelu", "hidden_size": 768, "initializer_factor": 1.0,
                "initializer_range": 0.02, "intermediate_size": 3072, "layer_norm_eps": 1e-05,
                "max_position_embeddings": 77, "model_type": "clip_text_model", "num_attention_heads": 12,
                "num_hidden_layers": 12, "pad_token_id": 1, "projection_dim": 768, "vocab_size": 49408}
                """
        case .sd21:
            return """
                {"architectures": ["CLIPTextModel"], "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0,
                "eos_token_id": 2, "hidden_act": "gelu", "hidden_size": 1024, "initializer_factor": 1.0,
                "initializer_range": 0.02, "intermediate_size": 4096, "layer_norm_eps": 1e-05,
                "max_position_embeddings": 77, "model_type": "clip_text_model", "num_attention_heads": 16,
                "num_hidden_layers": 23, "pad_token_id": 1, "projection_dim": 512, "vocab_size": 49408}
                """
        }
    }
}
