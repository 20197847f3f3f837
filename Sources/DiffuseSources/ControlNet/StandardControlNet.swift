#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseModels

/// The standard ControlNet architectures a single file is recognised as without a config
/// (`ControlNetShapes.recognise`). A ControlNet is its base model's UNet encoder, so each one's config is
/// that UNet's standard config (`StandardModel`) as a diffusers `ControlNetModel` config — what
/// `ControlNetModel.from_unet` makes of it, and what the hub repositories below hold:
///
///     sd15   SD 1.5's UNet: 8 heads, cross-attention 768          lllyasviel/control_v11p_sd15_*, sd-controlnet-*
///     sd21   SD 2.1's UNet: heads [5, 10, 20, 20], 1024, linear    thibaud/controlnet-sd21
///            projections, upcast attention
///     sdxl   SDXL base's UNet: 3 levels, transformer depths        diffusers/controlnet-canny-sdxl-1.0, xinsir
///            [1, 2, 10], cross-attention 2048, text_time embedding
///
/// The conditioning embedding's channels and widths come from the file's shapes (SD: 3 and [16, 32, 96,
/// 256]). What the weights cannot tell — `controlnet_conditioning_channel_order` and
/// `global_pool_conditions` (the shuffle model) — keep diffusers' defaults ("rgb", false): a ControlNet
/// trained otherwise needs its config.
public enum StandardControlNet: String, Sendable, CaseIterable {
    case sd15, sd21, sdxl

    /// The base model whose UNet config the ControlNet's is.
    public var baseModel: StandardModel {
        switch self {
        case .sd15: return .sd15
        case .sd21: return .sd21
        case .sdxl: return .sdxl
        }
    }

    /// A short name for messages.
    public var displayName: String {
        switch self {
        case .sd15: return "SD 1.5 ControlNet"
        case .sd21: return "SD 2.1 ControlNet"
        case .sdxl: return "SDXL ControlNet"
        }
    }

    /// The hub repository whose config this one is (for messages).
    public var reference: String {
        switch self {
        case .sd15: return "lllyasviel/control_v11p_sd15_canny"
        case .sd21: return "thibaud/controlnet-sd21"
        case .sdxl: return "diffusers/controlnet-canny-sdxl-1.0"
        }
    }

    /// The ControlNet config: the base model's compiled-in UNet config.json read as a ControlNet's
    /// (`_class_name` ControlNetModel, and the conditioning embedding's keys added), decoded by
    /// `ControlNetConfig` exactly as a config.json on disk; `sourceFile` says where it came from.
    public func config(conditioningChannels: Int = 3, widths: [Int] = [16, 32, 96, 256], source: String? = nil) -> ControlNetConfig {
        let unet = baseModel.configFiles["unet/config.json"]!
        let head = #"{"_class_name":"UNet2DConditionModel","#
        precondition(unet.hasPrefix(head) && unet.hasSuffix("}"), "the compiled-in \(baseModel.rawValue) UNet config changed shape")
        let json = #"{"_class_name":"ControlNetModel","# + unet.dropFirst(head.count).dropLast()
            + #","conditioning_channels":\#(conditioningChannels),"conditioning_embedding_out_channels":[\#(widths.map(String.init).joined(separator: ","))]}"#
        let name = source ?? "standard \(displayName) config"
        do { return try ControlNetConfig(jsonData: Data(json.utf8), file: name) } catch {
            fatalError("the standard \(displayName) config does not decode: \(error)")
        }
    }
}
