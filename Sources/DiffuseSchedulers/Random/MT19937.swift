/// The 32-bit Mersenne Twister, MT19937 (Matsumoto & Nishimura, `mt19937ar.c`), as PyTorch's CPU
/// generator uses it (`ATen/core/MT19937RNGEngine.h`): the same output sequence as C++ `std::mt19937`.
/// `torch.Generator().manual_seed(s)` seeds it with the low 32 bits of `s`.
public struct MT19937: Sendable {
    static let n = 624, m = 397
    static let matrixA: UInt32 = 0x9908_B0DF
    static let upperMask: UInt32 = 0x8000_0000, lowerMask: UInt32 = 0x7FFF_FFFF

    private var state: [UInt32]
    private var index: Int

    /// `init_genrand(seed)`; only the low 32 bits of `seed` are used (as torch does).
    public init(seed: UInt64) {
        var state = [UInt32](repeating: 0, count: Self.n)
        state[0] = UInt32(truncatingIfNeeded: seed)
        for i in 1..<Self.n {
            let previous = state[i - 1]
            state[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
        self.state = state
        index = Self.n
    }

    /// The next 32 random bits (`engine_()` in torch).
    public mutating func next() -> UInt32 {
        if index >= Self.n { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        state.withUnsafeMutableBufferPointer { mt in
            for k in 0..<Self.n {
                let y = (mt[k] & Self.upperMask) | (mt[(k + 1) % Self.n] & Self.lowerMask)
                mt[k] = mt[(k + Self.m) % Self.n] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : Self.matrixA)
            }
        }
        index = 0
    }
}
