/// Which Winograd minimal filtering algorithm F(m×m, 3×3) to run (Lavin & Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016; the matrices of their `wincnn` generator with interpolation points
/// 0, ±1 for m = 2 and 0, ±1, ±2 for m = 4).
///
/// One output tile Y (m × m) of the cross-correlation of an input tile d (α × α, α = m + 2) with a 3×3
/// filter g is  Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A : α² multiplies instead of 9·m². Summed over input
/// channels, the elementwise product becomes α² independent GEMMs (`WinogradConv`). The transforms are
/// written out in `WinogradF2Kernel` and `WinogradF4Kernel`:
///
///     F(2×2, 3×3): Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
///                  G  = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
///                  Aᵀ = [1 1 1 0; 0 1 −1 −1]
///     F(4×4, 3×3): Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
///                  G  = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1]
///                  Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
struct WinogradVariant: Sendable, Equatable {
    /// Output tile side.
    let m: Int

    /// Input tile side, m + 2; α² GEMMs per convolution.
    var alpha: Int { m + 2 }

    /// F(2×2, 3×3): constants 0, ±1, ±½; 16 GEMMs for 36 direct multiplies per tile (2.25× fewer).
    static let f2 = WinogradVariant(m: 2)

    /// F(4×4, 3×3): constants up to 8 and 1/24; 36 GEMMs for 144 direct multiplies per tile (4× fewer),
    /// at the price of larger rounding errors (transformed values grow ≈ 10²× before they cancel).
    static let f4 = WinogradVariant(m: 4)
}
