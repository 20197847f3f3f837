#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `text_encoder/config.json`: transformers' `CLIPTextConfig`
/// (`transformers/models/clip/configuration_clip.py`, transformers 5.x), with the same defaults
/// (which are CLIP ViT-B/32's; SD's files spell out their real values).
///
/// SD 1.x: ViT-L/14 text tower, hidden 768, 12 layers, 12 heads, `quick_gelu`.
/// SD 2.x: OpenCLIP ViT-H, hidden 1024, 23 layers (the 24th is dropped: "penultimate layer"), 16 heads, `gelu`.
/// A full `CLIPConfig` (`model_type` "clip") is accepted too: its `text_config` is read.
public struct CLIPTextConfig: DefaultedConfigFile, Encodable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var projectionDim: Int?
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var maxPositionEmbeddings: Int
    /// `quick_gelu` (SD 1.x) or `gelu` (SD 2.x).
    public var hiddenAct: String
    public var layerNormEps: Double
    public var attentionDropout: Double
    /// Legacy key of older transformers versions (unused at inference).
    public var dropout: Double?
    public var initializerRange: Double
    public var initializerFactor: Double
    public var padTokenId: Int?
    public var bosTokenId: Int?
    /// An int or a list; see `eosTokenIds` and `poolsAtArgmaxTokenId`.
    public var eosTokenId: PerBlock<Int>?

    // Metadata.
    public var architectures: [String]?
    public var modelType: String?
    /// `torch_dtype` (transformers 4) or `dtype` (transformers 5) — the dtype the weights were saved in.
    public var torchDtype: String?
    public var transformersVersion: String?
    public var nameOrPath: String?

    public var sourceFile: String = "text_encoder/config.json"

    enum CodingKeys: String, CodingKey, CaseIterable {
        case vocabSize = "vocab_size"
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case projectionDim = "projection_dim"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case maxPositionEmbeddings = "max_position_embeddings"
        case hiddenAct = "hidden_act"
        case layerNormEps = "layer_norm_eps"
        case attentionDropout = "attention_dropout"
        case dropout
        case initializerRange = "initializer_range"
        case initializerFactor = "initializer_factor"
        case padTokenId = "pad_token_id"
        case bosTokenId = "bos_token_id"
        case eosTokenId = "eos_token_id"
        case architectures
        case modelType = "model_type"
        case torchDtype = "torch_dtype"
        case transformersVersion = "transformers_version"
        case nameOrPath = "_name_or_path"
    }

    private enum ExtraKeys: String, CodingKey {
        case dtype
        case textConfig = "text_config"
    }


    /// Writes every key, nil as `null`.
    public func encode(to encoder: any Encoder) throws {
        try encodeAllProperties(self, keys: CodingKeys.self, to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        let extra = try decoder.container(keyedBy: ExtraKeys.self)
        if extra.contains(.textConfig), try !extra.decodeNil(forKey: .textConfig) {
            self = try extra.decode(CLIPTextConfig.self, forKey: .textConfig)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.decode(.vocabSize, default: 49408)
        hiddenSize = try c.decode(.hiddenSize, default: 512)
        intermediateSize = try c.decode(.intermediateSize, default: 2048)
        projectionDim = try c.decodeNullable(.projectionDim, default: 512)
        numHiddenLayers = try c.decode(.numHiddenLayers, default: 12)
        numAttentionHeads = try c.decode(.numAttentionHeads, default: 8)
        maxPositionEmbeddings = try c.decode(.maxPositionEmbeddings, default: 77)
        hiddenAct = try c.decode(.hiddenAct, default: "quick_gelu")
        layerNormEps = try c.decode(.layerNormEps, default: 1e-5)
        attentionDropout = try c.decode(.attentionDropout, default: 0)
        dropout = try c.decodeIfPresent(Double.self, forKey: .dropout)
        initializerRange = try c.decode(.initializerRange, default: 0.02)
        initializerFactor = try c.decode(.initializerFactor, default: 1.0)
        padTokenId = try c.decodeNullable(.padTokenId, default: 1)
        bosTokenId = try c.decodeNullable(.bosTokenId, default: 49406)
        eosTokenId = try c.decodeNullable(.eosTokenId, default: .uniform(49407))
        architectures = try c.decodeIfPresent([String].self, forKey: .architectures)
        modelType = try c.decodeIfPresent(String.self, forKey: .modelType)
        torchDtype = try c.decodeIfPresent(String.self, forKey: .torchDtype)
            ?? extra.decodeIfPresent(String.self, forKey: .dtype)
        transformersVersion = try c.decodeIfPresent(String.self, forKey: .transformersVersion)
        nameOrPath = try c.decodeIfPresent(String.self, forKey: .nameOrPath)
    }

    /// Channels per attention head: `hidden_size / num_attention_heads` (64 for SD 1.x and 2.x).
    public var headDim: Int { numAttentionHeads > 0 ? hiddenSize / numAttentionHeads : 0 }

    /// The end-of-text id(s) from the config.
    public var eosTokenIds: [Int] {
        switch eosTokenId {
        case nil: return []
        case .uniform(let id)?: return [id]
        case .list(let ids)?: return ids
        }
    }

    /// transformers' legacy rule (`modeling_clip.py`, `CLIPTextTransformer.forward`): when the config's
    /// `eos_token_id` is 2 — true for the SD 1.x and 2.x text encoders, saved before transformers PR
    /// #24773 — the pooled output is taken at the position of the *largest token id* in each sequence
    /// (`input_ids.argmax(-1)`); otherwise at the first position holding `eos_token_id`.
    public var poolsAtArgmaxTokenId: Bool { eosTokenId == .uniform(2) }
}
