#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `controlnet/config.json`: the arguments of diffusers' `ControlNetModel.__init__`
/// (`diffusers/models/controlnets/controlnet.py`, diffusers 0.42). A ControlNet is a copy of its UNet's
/// encoder, so most keys are the UNet's and decode into `unet` with the UNet's defaults (the up-block
/// keys a ControlNet lacks are mirrored from its down blocks, so the UNet's checks apply unchanged); the
/// keys of its own are below.
public struct ControlNetConfig: DefaultedConfigFile, Equatable {
    /// `_class_name`: `ControlNetModel` (nil when absent).
    public var className: String?
    /// The UNet-shaped part (time embedding, `conv_in`, down blocks, mid block, SDXL's added embedding).
    public var unet: UNet2DConditionConfig
    /// Channels of the control image (`conditioning_channels`, 3).
    public var conditioningChannels: Int
    /// Widths of the conditioning embedding's convolutions (`conditioning_embedding_out_channels`,
    /// (16, 32, 96, 256)): one stride-2 stage between neighbours, so the count − 1 must equal the VAE's
    /// down-sampling (3 for SD's ×8 VAE).
    public var conditioningEmbeddingOutChannels: [Int]
    /// `controlnet_conditioning_channel_order`: "rgb", or "bgr" (the control image's channels flipped).
    public var channelOrder: String
    /// `global_pool_conditions` (shuffle ControlNets): residuals averaged over the spatial axes.
    public var globalPoolConditions: Bool

    public var sourceFile: String = "controlnet/config.json" {
        didSet { unet.sourceFile = sourceFile }
    }

    enum CodingKeys: String, CodingKey {
        case conditioningChannels = "conditioning_channels"
        case conditioningEmbeddingOutChannels = "conditioning_embedding_out_channels"
        case channelOrder = "controlnet_conditioning_channel_order"
        case globalPoolConditions = "global_pool_conditions"
    }

    /// The up block that mirrors a down block (unknown types stay, and the UNet's check names them).
    static let upBlock = ["CrossAttnDownBlock2D": "CrossAttnUpBlock2D", "DownBlock2D": "UpBlock2D"]

    public init(from decoder: any Decoder) throws {
        unet = try UNet2DConditionConfig(from: decoder)
        className = unet.className
        unet.className = nil
        let c = try decoder.container(keyedBy: CodingKeys.self)
        conditioningChannels = try c.decode(.conditioningChannels, default: 3)
        conditioningEmbeddingOutChannels = try c.decode(.conditioningEmbeddingOutChannels, default: [16, 32, 96, 256])
        channelOrder = try c.decode(.channelOrder, default: "rgb")
        globalPoolConditions = try c.decode(.globalPoolConditions, default: false)
        unet.upBlockTypes = unet.downBlockTypes.reversed().map { Self.upBlock[$0] ?? $0 }
        unet.outChannels = unet.inChannels
    }
}
