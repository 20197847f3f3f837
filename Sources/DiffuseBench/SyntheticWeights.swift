import DiffuseCore
import DiffuseCPU
import DiffuseNN

/// Seeded random weights made on request, so a full-size model can be benchmarked with no files: a
/// `WeightStore(generating:)` whose tensors are drawn when the model asks for them by key and shape.
///
/// Values (speed does not depend on them, but f16/bf16 activations must not overflow):
/// - 1-D `…weight` (norm scales): 1; 1-D `…bias`: 0;
/// - everything else: uniform in ±√3 / √fan_in (variance 1 / fan_in, fan_in = product of all but the
///   first dimension), like PyTorch's default `kaiming_uniform`-style init up to a constant.
///
/// Each tensor has its own stream (xorshift64* seeded from `seed` and an FNV-1a hash of the key), so a
/// tensor does not depend on the order in which the model asks for keys; the fill runs in parallel
/// chunks, each chunk seeded from its index (≈ 0.5 s per GB on one core).
public struct SyntheticWeights: Sendable {
    public let seed: UInt64
    /// The dtype stored tensors get for a key and shape (f32, f16 or bf16).
    public let dtype: @Sendable (_ key: String, _ shape: [Int]) -> DType

    public init(seed: UInt64 = 0, dtype: @escaping @Sendable (_ key: String, _ shape: [Int]) -> DType = { _, _ in .f32 }) {
        self.seed = seed
        self.dtype = dtype
    }

    /// A store over these weights whose compute dtype is `computeDType` (nil: each tensor's own dtype).
    public func store(source: String, computeDType: DType?) -> WeightStore {
        WeightStore(generating: source, dtype: computeDType) { key, shape in
            let made = self.tensor(key, shape: shape)
            return computeDType.map { made.dtype == $0 ? made : made.hostConverted(to: $0) } ?? made
        }
    }

    /// The tensor for `key` with `shape`, in `dtype(key, shape)`.
    public func tensor(_ key: String, shape: [Int]) -> Tensor {
        let target = dtype(key, shape)
        let made: Tensor
        if shape.count == 1 && (key.hasSuffix(".weight") || key.hasSuffix(".bias")) {
            made = Tensor([Float](repeating: key.hasSuffix(".weight") ? 1 : 0, count: shape[0]), shape: shape)
        } else {
            let fanIn = max(1, shape.dropFirst().reduce(1, *))
            made = Self.uniform(shape, seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ Self.hash(key),
                                bound: Float(3.0 / Double(fanIn)).squareRoot())
        }
        return target == .f32 ? made : made.hostConverted(to: target)
    }

    /// An f32 tensor uniform in [−bound, bound), reproducible from `seed`, filled in parallel chunks.
    public static func uniform(_ shape: [Int], seed: UInt64, bound: Float = 1) -> Tensor {
        let count = shape.reduce(1, *)
        let tensor = Tensor(uninitialized: shape, dtype: .f32)
        let base = UInt(bitPattern: tensor.pointer(as: Float.self))
        let chunk = 1 << 16
        Parallel.forEach((count + chunk - 1) / chunk) { c in
            let out = UnsafeMutablePointer<Float>(bitPattern: base)!
            var state = mix(seed &+ UInt64(c)) | 1
            for i in c * chunk..<min(count, (c + 1) * chunk) {
                state ^= state >> 12; state ^= state << 25; state ^= state >> 27     // xorshift64*
                let bits = (state &* 0x2545_F491_4F6C_DD1D) >> 40                  // 24 random bits
                out[i] = (Float(bits) * (2 / Float(1 << 24)) - 1) * bound
            }
        }
        return tensor
    }

    /// FNV-1a over the key's bytes.
    static func hash(_ key: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return h
    }

    /// SplitMix64's finaliser: spreads nearby seeds apart.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
