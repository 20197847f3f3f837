#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `vae/config.json`: the arguments of diffusers' `AutoencoderKL.__init__`
/// (`diffusers/models/autoencoders/autoencoder_kl.py`, diffusers 0.42), with the same defaults.
///
/// SD 1.x / 2.x: `block_out_channels` [128, 256, 512, 512], 2 layers per block, 4 latent channels,
/// `scaling_factor` 0.18215 (missing from their config files, so the default applies).
public struct AutoencoderKLConfig: DefaultedConfigFile, Encodable, Equatable {
    /// `_class_name` (metadata; `AutoencoderKL`).
    public var className: String?
    /// `_diffusers_version` (metadata).
    public var diffusersVersion: String?

    public var inChannels: Int
    public var outChannels: Int
    public var downBlockTypes: [String]
    public var upBlockTypes: [String]
    public var blockOutChannels: [Int]
    public var layersPerBlock: Int
    public var actFn: String
    public var latentChannels: Int
    public var normNumGroups: Int
    public var sampleSize: SampleSize
    /// Latents are `scaling_factor * (z - shift_factor)`; decode divides by it first.
    public var scalingFactor: Double
    public var shiftFactor: Double?
    public var latentsMean: [Double]?
    public var latentsStd: [Double]?
    public var forceUpcast: Bool
    public var useQuantConv: Bool
    public var usePostQuantConv: Bool
    public var midBlockAddAttention: Bool

    public var sourceFile: String = "vae/config.json"

    enum CodingKeys: String, CodingKey, CaseIterable {
        case className = "_class_name"
        case diffusersVersion = "_diffusers_version"
        case inChannels = "in_channels"
        case outChannels = "out_channels"
        case downBlockTypes = "down_block_types"
        case upBlockTypes = "up_block_types"
        case blockOutChannels = "block_out_channels"
        case layersPerBlock = "layers_per_block"
        case actFn = "act_fn"
        case latentChannels = "latent_channels"
        case normNumGroups = "norm_num_groups"
        case sampleSize = "sample_size"
        case scalingFactor = "scaling_factor"
        case shiftFactor = "shift_factor"
        case latentsMean = "latents_mean"
        case latentsStd = "latents_std"
        case forceUpcast = "force_upcast"
        case useQuantConv = "use_quant_conv"
        case usePostQuantConv = "use_post_quant_conv"
        case midBlockAddAttention = "mid_block_add_attention"
    }


    /// Writes every key, nil as `null`.
    public func encode(to encoder: any Encoder) throws {
        try encodeAllProperties(self, keys: CodingKeys.self, to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        className = try c.decodeIfPresent(String.self, forKey: .className)
        diffusersVersion = try c.decodeIfPresent(String.self, forKey: .diffusersVersion)
        inChannels = try c.decode(.inChannels, default: 3)
        outChannels = try c.decode(.outChannels, default: 3)
        downBlockTypes = try c.decode(.downBlockTypes, default: ["DownEncoderBlock2D"])
        upBlockTypes = try c.decode(.upBlockTypes, default: ["UpDecoderBlock2D"])
        blockOutChannels = try c.decode(.blockOutChannels, default: [64])
        layersPerBlock = try c.decode(.layersPerBlock, default: 1)
        actFn = try c.decode(.actFn, default: "silu")
        latentChannels = try c.decode(.latentChannels, default: 4)
        normNumGroups = try c.decode(.normNumGroups, default: 32)
        sampleSize = try c.decode(.sampleSize, default: SampleSize(32))
        scalingFactor = try c.decode(.scalingFactor, default: 0.18215)
        shiftFactor = try c.decodeIfPresent(Double.self, forKey: .shiftFactor)
        latentsMean = try c.decodeIfPresent([Double].self, forKey: .latentsMean)
        latentsStd = try c.decodeIfPresent([Double].self, forKey: .latentsStd)
        forceUpcast = try c.decode(.forceUpcast, default: true)
        useQuantConv = try c.decode(.useQuantConv, default: true)
        usePostQuantConv = try c.decode(.usePostQuantConv, default: true)
        midBlockAddAttention = try c.decode(.midBlockAddAttention, default: true)
    }

    /// Pixels per latent along each side: `2 ** (len(block_out_channels) - 1)` (8 for SD), as in the
    /// SD pipeline's `vae_scale_factor`.
    public var scaleFactor: Int { 1 << max(blockOutChannels.count - 1, 0) }
}
