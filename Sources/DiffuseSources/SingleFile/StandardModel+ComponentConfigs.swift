#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseModels

/// The standard models' component configs decoded in memory (from `configFiles`, no folder written): what
/// `diffuse bench --arch` builds full-size models with random weights from.
extension StandardModel {
    public var unetConfig: UNet2DConditionConfig { decodedConfig("unet/config.json")! }
    public var vaeConfig: AutoencoderKLConfig { decodedConfig("vae/config.json")! }
    /// nil for the SDXL refiner (no `text_encoder`).
    public var textEncoderConfig: CLIPTextConfig? { decodedConfig("text_encoder/config.json") }
    /// SDXL's `text_encoder_2` (CLIPTextModelWithProjection); nil for SD 1.x / 2.x.
    public var textEncoder2Config: CLIPTextConfig? { decodedConfig("text_encoder_2/config.json") }

    /// The file at `relative` decoded, nil when the model has none. The compiled-in files are fixed and
    /// tested (StandardModelTests, StandardModelSDXLTests): a decoding failure is a programming error.
    private func decodedConfig<C: ConfigFile>(_ relative: String) -> C? {
        guard let json = configFiles[relative] else { return nil }
        do { return try C(jsonData: Data(json.utf8), file: "standard \(rawValue) \(relative)") } catch {
            fatalError("the compiled-in \(rawValue) \(relative) does not decode: \(error)")
        }
    }
}
