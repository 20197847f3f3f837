/// diffusers' `transformer_layers_per_block` (and `reverse_transformer_layers_per_block`): the number of
/// `BasicTransformerBlock`s in each attention of a block. An int for all blocks, one int per down block
/// (SDXL: `[1, 2, 10]`), or, for asymmetric UNets, one list per block giving each attention its own count.
public enum TransformerLayersPerBlock: Codable, Sendable, Equatable {
    case uniform(Int)
    case perBlock([Int])
    case perAttention([[Int]])

    /// One count per block, or nil for the asymmetric per-attention form.
    public func perBlockCounts(count: Int) -> [Int]? {
        switch self {
        case .uniform(let n): return Array(repeating: n, count: count)
        case .perBlock(let ns): return ns
        case .perAttention: return nil
        }
    }

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
