/// The transform matrices of Winograd's minimal filtering algorithm F(m×m, 3×3) (Lavin & Gray, "Fast
/// Algorithms for Convolutional Neural Networks", 2016; the matrices of their `wincnn` generator with
/// interpolation points 0, ±1 (m = 2) and 0, ±1, ±2 (m = 4)).
///
/// One output tile Y (m × m) of the cross-correlation of an input tile d (α × α, α = m + 2) with a 3×3
/// filter g is  Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A : α² multiplies instead of 9·m². Over channels the
/// elementwise product becomes α² independent GEMMs (`WinogradConv`).
/// Shapes: Bᵀ α × α, G α × 3, Aᵀ m × α, all row-major.
struct WinogradVariant: Sendable, Equatable {
    /// Output tile side.
    let m: Int
    let bT: [Float]
    let g: [Float]
    let aT: [Float]

    /// Input tile side, m + 2; α² GEMMs per convolution.
    var alpha: Int { m + 2 }

    /// F(2×2, 3×3): constants 0, ±1, ±½; 16 GEMMs for 36 direct multiplies per tile (2.25× fewer).
    static let f2 = WinogradVariant(
        m: 2,
        bT: [1, 0, -1, 0,
             0, 1, 1, 0,
             0, -1, 1, 0,
             0, 1, 0, -1],
        g: [1, 0, 0,
            0.5, 0.5, 0.5,
            0.5, -0.5, 0.5,
            0, 0, 1],
        aT: [1, 1, 1, 0,
             0, 1, -1, -1])

    /// F(4×4, 3×3): constants up to 8 and 1/24; 36 GEMMs for 144 direct multiplies per tile (4× fewer),
    /// at the price of larger rounding errors (the transforms amplify by up to ≈ 10²).
    static let f4 = WinogradVariant(
        m: 4,
        bT: [4, 0, -5, 0, 1, 0,
             0, -4, -4, 1, 1, 0,
             0, 4, -4, -1, 1, 0,
             0, -2, -1, 2, 1, 0,
             0, 2, -1, -2, 1, 0,
             0, 4, 0, -5, 0, 1],
        g: [1.0 / 4, 0, 0,
            -1.0 / 6, -1.0 / 6, -1.0 / 6,
            -1.0 / 6, 1.0 / 6, -1.0 / 6,
            1.0 / 24, 1.0 / 12, 1.0 / 6,
            1.0 / 24, -1.0 / 12, 1.0 / 6,
            0, 0, 1],
        aT: [1, 1, 1, 1, 1, 0,
             0, 1, -1, 2, -2, 0,
             0, 1, 1, 4, 4, 0,
             0, 1, -1, 8, -8, 1])
}
