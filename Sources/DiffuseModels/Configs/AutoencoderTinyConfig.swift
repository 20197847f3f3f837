#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `config.json` of a tiny autoencoder (TAESD): the arguments of diffusers' `AutoencoderTiny.__init__`
/// (`diffusers/models/autoencoders/autoencoder_tiny.py`, diffusers 0.42), with the same defaults — which
/// are TAESD's and TAESDXL's (madebyollin/taesd, madebyollin/taesdxl): four stages of 64 channels, ReLU,
/// encoder blocks (1, 3, 3, 3), decoder blocks (3, 3, 3, 1), 4 latent channels, `scaling_factor` 1.
///
/// diffusers also writes `block_out_channels` (= `decoder_block_out_channels`, registered so that the
/// pipelines' `vae_scale_factor` works) and `force_upcast` (always false); both follow from the other
/// keys here, so they are not decoded.
public struct AutoencoderTinyConfig: DefaultedConfigFile, Encodable, Equatable {
    /// `_class_name` (metadata; `AutoencoderTiny`).
    public var className: String?
    /// `_diffusers_version` (metadata).
    public var diffusersVersion: String?

    public var inChannels: Int
    public var outChannels: Int
    public var encoderBlockOutChannels: [Int]
    public var decoderBlockOutChannels: [Int]
    public var actFn: String
    public var upsampleFn: String
    public var latentChannels: Int
    public var upsamplingScalingFactor: Int
    /// `AutoencoderTinyBlock`s after each encoder stage's convolution.
    public var numEncoderBlocks: [Int]
    /// `AutoencoderTinyBlock`s of each decoder stage, before its up-sampling.
    public var numDecoderBlocks: [Int]
    /// `scale_latents` / `unscale_latents` (storing latents as 8-bit images; no pipeline calls them).
    public var latentMagnitude: Double
    public var latentShift: Double
    /// 1 for TAESD: its latents are the SD VAE's *scaled* latents (`z · 0.18215`) already.
    public var scalingFactor: Double
    /// 0 unless a model says otherwise; diffusers' SD / SDXL pipelines do not read it.
    public var shiftFactor: Double

    public var sourceFile: String = "vae/config.json"

    enum CodingKeys: String, CodingKey, CaseIterable {
        case className = "_class_name"
        case diffusersVersion = "_diffusers_version"
        case inChannels = "in_channels"
        case outChannels = "out_channels"
        case encoderBlockOutChannels = "encoder_block_out_channels"
        case decoderBlockOutChannels = "decoder_block_out_channels"
        case actFn = "act_fn"
        case upsampleFn = "upsample_fn"
        case latentChannels = "latent_channels"
        case upsamplingScalingFactor = "upsampling_scaling_factor"
        case numEncoderBlocks = "num_encoder_blocks"
        case numDecoderBlocks = "num_decoder_blocks"
        case latentMagnitude = "latent_magnitude"
        case latentShift = "latent_shift"
        case scalingFactor = "scaling_factor"
        case shiftFactor = "shift_factor"
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
        encoderBlockOutChannels = try c.decode(.encoderBlockOutChannels, default: [64, 64, 64, 64])
        decoderBlockOutChannels = try c.decode(.decoderBlockOutChannels, default: [64, 64, 64, 64])
        actFn = try c.decode(.actFn, default: "relu")
        upsampleFn = try c.decode(.upsampleFn, default: "nearest")
        latentChannels = try c.decode(.latentChannels, default: 4)
        upsamplingScalingFactor = try c.decode(.upsamplingScalingFactor, default: 2)
        numEncoderBlocks = try c.decode(.numEncoderBlocks, default: [1, 3, 3, 3])
        numDecoderBlocks = try c.decode(.numDecoderBlocks, default: [3, 3, 3, 1])
        latentMagnitude = try c.decode(.latentMagnitude, default: 3)
        latentShift = try c.decode(.latentShift, default: 0.5)
        scalingFactor = try c.decode(.scalingFactor, default: 1.0)
        shiftFactor = try c.decode(.shiftFactor, default: 0.0)
    }

    /// Pixels per latent along each side as the SD pipelines compute it:
    /// `2 ** (len(block_out_channels) - 1)` with `block_out_channels` = `decoder_block_out_channels` (8 for
    /// TAESD). `validateSupported` checks that the encoder and decoder really scale by this.
    public var scaleFactor: Int { 1 << max(decoderBlockOutChannels.count - 1, 0) }
}
