#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `unet/config.json`: the arguments of diffusers' `UNet2DConditionModel.__init__`
/// (`diffusers/models/unets/unet_2d_condition.py`, diffusers 0.42), with the same defaults.
///
/// Decoding accepts everything diffusers accepts (ints or per-block lists, `null`s, legacy keys, unknown
/// keys are ignored); whether Diffuse can run the model is a separate question answered by
/// `validateSupported()` (see `UNet2DConditionConfig+Validation.swift`). Per-block values resolved the way
/// diffusers resolves them are in `UNet2DConditionConfig+Resolved.swift`.
public struct UNet2DConditionConfig: DefaultedConfigFile, Encodable, Equatable {
    /// `_class_name` (metadata; `UNet2DConditionModel` for every SD UNet).
    public var className: String?
    /// `_diffusers_version` (metadata).
    public var diffusersVersion: String?

    public var sampleSize: SampleSize?
    public var inChannels: Int
    public var outChannels: Int
    public var centerInputSample: Bool
    public var flipSinToCos: Bool
    public var freqShift: Int
    public var downBlockTypes: [String]
    /// nil when the config says `"mid_block_type": null` (no mid block).
    public var midBlockType: String?
    public var upBlockTypes: [String]
    public var onlyCrossAttention: PerBlock<Bool>
    public var blockOutChannels: [Int]
    public var layersPerBlock: PerBlock<Int>
    public var downsamplePadding: Int
    public var midBlockScaleFactor: Double
    public var dropout: Double
    public var actFn: String
    /// nil (explicit `null`) means no output GroupNorm.
    public var normNumGroups: Int?
    public var normEps: Double
    public var crossAttentionDim: PerBlock<Int>
    public var transformerLayersPerBlock: TransformerLayersPerBlock
    /// The up blocks' depths, given when `transformer_layers_per_block` is per attention; nil means
    /// `transformer_layers_per_block` reversed (see `upBlockAttention(_:)`).
    public var reverseTransformerLayersPerBlock: TransformerLayersPerBlock?
    public var encoderHidDim: Int?
    public var encoderHidDimType: String?
    /// Misnamed in diffusers: unless `num_attention_heads` is given this is the number of heads
    /// (see `attentionHeads(count:)`).
    public var attentionHeadDim: PerBlock<Int>
    /// Usually absent or null. diffusers 0.42 refuses a non-null value for this class (naming issue
    /// #2011); Diffuse accepts it and, when given, uses it as the head count instead of `attention_head_dim`.
    public var numAttentionHeads: PerBlock<Int>?
    public var dualCrossAttention: Bool
    public var useLinearProjection: Bool
    public var classEmbedType: String?
    /// `"text_time"` for SDXL (added text/time embeddings, see `UNet2DConditionConfig+AddedConditions.swift`).
    public var additionEmbedType: String?
    /// SDXL: the sinusoidal width of each time id (256).
    public var additionTimeEmbedDim: Int?
    public var numClassEmbeds: Int?
    public var upcastAttention: Bool
    public var resnetTimeScaleShift: String
    public var resnetSkipTimeAct: Bool
    public var resnetOutScaleFactor: Double
    public var timeEmbeddingType: String
    public var timeEmbeddingDim: Int?
    public var timeEmbeddingActFn: String?
    public var timestepPostAct: String?
    public var timeCondProjDim: Int?
    public var convInKernel: Int
    public var convOutKernel: Int
    /// SDXL: the input width of `add_embedding` = text_embeds width + time-id count × `addition_time_embed_dim`.
    public var projectionClassEmbeddingsInputDim: Int?
    public var attentionType: String
    public var classEmbeddingsConcat: Bool
    public var midBlockOnlyCrossAttention: Bool?
    public var crossAttentionNorm: String?
    public var additionEmbedTypeNumHeads: Int

    public var sourceFile: String = "unet/config.json"

    enum CodingKeys: String, CodingKey, CaseIterable {
        case className = "_class_name"
        case diffusersVersion = "_diffusers_version"
        case sampleSize = "sample_size"
        case inChannels = "in_channels"
        case outChannels = "out_channels"
        case centerInputSample = "center_input_sample"
        case flipSinToCos = "flip_sin_to_cos"
        case freqShift = "freq_shift"
        case downBlockTypes = "down_block_types"
        case midBlockType = "mid_block_type"
        case upBlockTypes = "up_block_types"
        case onlyCrossAttention = "only_cross_attention"
        case blockOutChannels = "block_out_channels"
        case layersPerBlock = "layers_per_block"
        case downsamplePadding = "downsample_padding"
        case midBlockScaleFactor = "mid_block_scale_factor"
        case dropout
        case actFn = "act_fn"
        case normNumGroups = "norm_num_groups"
        case normEps = "norm_eps"
        case crossAttentionDim = "cross_attention_dim"
        case transformerLayersPerBlock = "transformer_layers_per_block"
        case reverseTransformerLayersPerBlock = "reverse_transformer_layers_per_block"
        case encoderHidDim = "encoder_hid_dim"
        case encoderHidDimType = "encoder_hid_dim_type"
        case attentionHeadDim = "attention_head_dim"
        case numAttentionHeads = "num_attention_heads"
        case dualCrossAttention = "dual_cross_attention"
        case useLinearProjection = "use_linear_projection"
        case classEmbedType = "class_embed_type"
        case additionEmbedType = "addition_embed_type"
        case additionTimeEmbedDim = "addition_time_embed_dim"
        case numClassEmbeds = "num_class_embeds"
        case upcastAttention = "upcast_attention"
        case resnetTimeScaleShift = "resnet_time_scale_shift"
        case resnetSkipTimeAct = "resnet_skip_time_act"
        case resnetOutScaleFactor = "resnet_out_scale_factor"
        case timeEmbeddingType = "time_embedding_type"
        case timeEmbeddingDim = "time_embedding_dim"
        case timeEmbeddingActFn = "time_embedding_act_fn"
        case timestepPostAct = "timestep_post_act"
        case timeCondProjDim = "time_cond_proj_dim"
        case convInKernel = "conv_in_kernel"
        case convOutKernel = "conv_out_kernel"
        case projectionClassEmbeddingsInputDim = "projection_class_embeddings_input_dim"
        case attentionType = "attention_type"
        case classEmbeddingsConcat = "class_embeddings_concat"
        case midBlockOnlyCrossAttention = "mid_block_only_cross_attention"
        case crossAttentionNorm = "cross_attention_norm"
        case additionEmbedTypeNumHeads = "addition_embed_type_num_heads"
    }


    /// Writes every key, nil as `null`.
    public func encode(to encoder: any Encoder) throws {
        try encodeAllProperties(self, keys: CodingKeys.self, to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        className = try c.decodeIfPresent(String.self, forKey: .className)
        diffusersVersion = try c.decodeIfPresent(String.self, forKey: .diffusersVersion)
        sampleSize = try c.decodeIfPresent(SampleSize.self, forKey: .sampleSize)
        inChannels = try c.decode(.inChannels, default: 4)
        outChannels = try c.decode(.outChannels, default: 4)
        centerInputSample = try c.decode(.centerInputSample, default: false)
        flipSinToCos = try c.decode(.flipSinToCos, default: true)
        freqShift = try c.decode(.freqShift, default: 0)
        downBlockTypes = try c.decode(.downBlockTypes, default: [
            "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D",
        ])
        midBlockType = try c.decodeNullable(.midBlockType, default: "UNetMidBlock2DCrossAttn")
        upBlockTypes = try c.decode(.upBlockTypes, default: [
            "UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
        ])
        onlyCrossAttention = try c.decode(.onlyCrossAttention, default: .uniform(false))
        blockOutChannels = try c.decode(.blockOutChannels, default: [320, 640, 1280, 1280])
        layersPerBlock = try c.decode(.layersPerBlock, default: .uniform(2))
        downsamplePadding = try c.decode(.downsamplePadding, default: 1)
        midBlockScaleFactor = try c.decode(.midBlockScaleFactor, default: 1)
        dropout = try c.decode(.dropout, default: 0)
        actFn = try c.decode(.actFn, default: "silu")
        normNumGroups = try c.decodeNullable(.normNumGroups, default: 32)
        normEps = try c.decode(.normEps, default: 1e-5)
        crossAttentionDim = try c.decode(.crossAttentionDim, default: .uniform(1280))
        transformerLayersPerBlock = try c.decode(.transformerLayersPerBlock, default: .uniform(1))
        reverseTransformerLayersPerBlock = try c.decodeIfPresent(TransformerLayersPerBlock.self, forKey: .reverseTransformerLayersPerBlock)
        encoderHidDim = try c.decodeIfPresent(Int.self, forKey: .encoderHidDim)
        encoderHidDimType = try c.decodeIfPresent(String.self, forKey: .encoderHidDimType)
        attentionHeadDim = try c.decode(.attentionHeadDim, default: .uniform(8))
        numAttentionHeads = try c.decodeIfPresent(PerBlock<Int>.self, forKey: .numAttentionHeads)
        dualCrossAttention = try c.decode(.dualCrossAttention, default: false)
        useLinearProjection = try c.decode(.useLinearProjection, default: false)
        classEmbedType = try c.decodeIfPresent(String.self, forKey: .classEmbedType)
        additionEmbedType = try c.decodeIfPresent(String.self, forKey: .additionEmbedType)
        additionTimeEmbedDim = try c.decodeIfPresent(Int.self, forKey: .additionTimeEmbedDim)
        numClassEmbeds = try c.decodeIfPresent(Int.self, forKey: .numClassEmbeds)
        upcastAttention = try c.decode(.upcastAttention, default: false)
        resnetTimeScaleShift = try c.decode(.resnetTimeScaleShift, default: "default")
        resnetSkipTimeAct = try c.decode(.resnetSkipTimeAct, default: false)
        resnetOutScaleFactor = try c.decode(.resnetOutScaleFactor, default: 1.0)
        timeEmbeddingType = try c.decode(.timeEmbeddingType, default: "positional")
        timeEmbeddingDim = try c.decodeIfPresent(Int.self, forKey: .timeEmbeddingDim)
        timeEmbeddingActFn = try c.decodeIfPresent(String.self, forKey: .timeEmbeddingActFn)
        timestepPostAct = try c.decodeIfPresent(String.self, forKey: .timestepPostAct)
        timeCondProjDim = try c.decodeIfPresent(Int.self, forKey: .timeCondProjDim)
        convInKernel = try c.decode(.convInKernel, default: 3)
        convOutKernel = try c.decode(.convOutKernel, default: 3)
        projectionClassEmbeddingsInputDim = try c.decodeIfPresent(Int.self, forKey: .projectionClassEmbeddingsInputDim)
        attentionType = try c.decode(.attentionType, default: "default")
        classEmbeddingsConcat = try c.decode(.classEmbeddingsConcat, default: false)
        midBlockOnlyCrossAttention = try c.decodeIfPresent(Bool.self, forKey: .midBlockOnlyCrossAttention)
        crossAttentionNorm = try c.decodeIfPresent(String.self, forKey: .crossAttentionNorm)
        additionEmbedTypeNumHeads = try c.decode(.additionEmbedTypeNumHeads, default: 64)
    }
}
