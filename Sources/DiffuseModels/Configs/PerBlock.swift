/// A UNet/VAE setting diffusers accepts either as one value for every block (`"layers_per_block": 2`)
/// or as one value per down block (`"attention_head_dim": [5, 10, 20, 20]`).
///
/// Mirrors diffusers' `isinstance(x, int)` → `(x,) * len(down_block_types)` expansion in
/// `unet_2d_condition.py`.
public enum PerBlock<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    case uniform(Value)
    case list([Value])

    /// One value per block: the uniform value repeated `count` times, or the list as written.
    /// (Lists of the wrong length are reported by `validateSupported()`, not here.)
    public func values(count: Int) -> [Value] {
        switch self {
        case .uniform(let v): return Array(repeating: v, count: count)
        case .list(let vs): return vs
        }
    }

    /// Every value written (the uniform one, or each of the list), for range checks.
    public var allValues: [Value] {
        switch self {
        case .uniform(let v): return [v]
        case .list(let vs): return vs
        }
    }

    /// The list length if this is a list, nil if it is one uniform value.
    public var listCount: Int? {
        if case .list(let vs) = self { return vs.count }
        return nil
    }

    /// The value as a flat list for error messages.
    var jsonDescription: String {
        switch self {
        case .uniform(let v): return jsonText(v)
        case .list(let vs): return jsonText(vs.map { $0 as Any? })
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(Value.self) {
            self = .uniform(one)
        } else if let many = try? container.decode([Value].self) {
            self = .list(many)
        } else {
            throw DecodingError.typeMismatch(Value.self, .init(
                codingPath: decoder.codingPath,
                debugDescription: "expected one \(Value.self) or a list of them"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .uniform(let v): try container.encode(v)
        case .list(let vs): try container.encode(vs)
        }
    }
}
