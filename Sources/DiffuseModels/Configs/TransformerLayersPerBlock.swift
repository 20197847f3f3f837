/// diffusers' `transformer_layers_per_block` (and `reverse_transformer_layers_per_block`): the number of
/// `BasicTransformerBlock`s in each attention (`attentions.<k>`) of a block. An int for all blocks, one
/// int per block (SDXL: `[1, 2, 10]`), or, for asymmetric UNets, one list per block giving each attention
/// its own count (`[[1, 1], [2, 1]]`; the reverse list then has one entry per up-block attention).
///
/// Resolved as `CrossAttnDownBlock2D` / `CrossAttnUpBlock2D` / `UNetMidBlock2DCrossAttn` resolve their
/// argument in `diffusers/models/unets/unet_2d_blocks.py`: an int is repeated for every attention of the
/// block, a list is indexed by attention (entries past the block's attention count are unused).
public enum TransformerLayersPerBlock: Codable, Sendable, Equatable {
    case uniform(Int)
    case perBlock([Int])
    case perAttention([[Int]])

    /// The depth of each of the `attentions` attentions of block `block` (the block's entry of a list).
    /// Lists must have an entry for `block`, and per-attention lists at least `attentions` entries
    /// (`UNet2DConditionConfig.unsupportedFeatures()` checks both).
    public func depths(block: Int, attentions: Int) -> [Int] {
        switch self {
        case .uniform(let n): return Array(repeating: n, count: attentions)
        case .perBlock(let ns): return Array(repeating: ns[block], count: attentions)
        case .perAttention(let nss): return Array(nss[block].prefix(attentions))
        }
    }

    /// The list length (one entry per block), nil for a single int.
    public var listCount: Int? {
        switch self {
        case .uniform: return nil
        case .perBlock(let ns): return ns.count
        case .perAttention(let nss): return nss.count
        }
    }

    /// Every count written in the value, flattened (to check for negatives).
    var allCounts: [Int] {
        switch self {
        case .uniform(let n): return [n]
        case .perBlock(let ns): return ns
        case .perAttention(let nss): return nss.flatMap { $0 }
        }
    }

    /// The value as JSON for error messages.
    var jsonDescription: String {
        switch self {
        case .uniform(let n): return "\(n)"
        case .perBlock(let ns): return "\(ns)"
        case .perAttention(let nss): return "\(nss)"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let n = try? container.decode(Int.self) {
            self = .uniform(n)
        } else if let ns = try? container.decode([Int].self) {
            self = .perBlock(ns)
        } else if let nss = try? container.decode([[Int]].self) {
            self = .perAttention(nss)
        } else {
            throw DecodingError.typeMismatch(Int.self, .init(
                codingPath: decoder.codingPath, debugDescription: "expected an integer, a list of integers or a list of lists"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .uniform(let n): try container.encode(n)
        case .perBlock(let ns): try container.encode(ns)
        case .perAttention(let nss): try container.encode(nss)
        }
    }
}
