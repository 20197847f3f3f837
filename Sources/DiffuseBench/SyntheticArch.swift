import DiffuseModels
import DiffuseSources

/// The model families `--arch` builds with random weights, from the real component configs compiled into
/// `StandardModel` (StandardModel+Configs.swift, StandardModel+SDXLConfigs.swift):
///
/// - `sd15`: `runwayml/stable-diffusion-v1-5` (512 px);
/// - `sd21`: `stabilityai/stable-diffusion-2-1` (768 px);
/// - `sdxl`: `stabilityai/stable-diffusion-xl-base-1.0` (1024 px, two text encoders, a `text_time` UNet);
/// - `sd-turbo`: `stabilityai/sd-turbo`, the SD 2.1-base architecture (512 px; `StandardModel.sd21Base`).
///
/// The same files are `Fixtures/configs/<arch>/*.json`, which a test compares them with and
/// `Scripts/bench_torch_models.py` reads to build the same models in diffusers.
public enum SyntheticArch: String, Sendable, CaseIterable {
    case sd15, sd21, sdxl
    case sdTurbo = "sd-turbo"

    /// "sd15|sd21|sdxl|sd-turbo", for help texts and errors.
    public static var names: String { allCases.map(\.rawValue).joined(separator: "|") }

    /// The standard model whose configs the family is built from.
    public var standardModel: StandardModel {
        switch self {
        case .sd15: .sd15
        case .sd21: .sd21
        case .sdxl: .sdxl
        case .sdTurbo: .sd21Base
        }
    }

    public var unet: UNet2DConditionConfig { standardModel.unetConfig }
    public var vae: AutoencoderKLConfig { standardModel.vaeConfig }
    /// Every family here has a first text encoder (only the SDXL refiner lacks one).
    public var textEncoder: CLIPTextConfig { standardModel.textEncoderConfig! }
    /// SDXL's `text_encoder_2` (CLIPTextModelWithProjection: pooled `text_embeds`); nil for the others.
    public var textEncoder2: CLIPTextConfig? { standardModel.textEncoder2Config }

    /// The default image side of the family: the UNet's `sample_size` × the VAE factor (512, 768, 1024, 512).
    public var defaultSize: Int { ModelConfigs(self).defaultSize }
}
