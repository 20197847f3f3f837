#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How `CPUBackend.conv2d` computes a convolution.
///
/// - `direct`: implicit im2col + GEMM (`ConvKernel`), any kernel, stride and padding;
/// - `winogradF2` / `winogradF4`: Winograd F(2×2, 3×3) / F(4×4, 3×3) (`WinogradConv`), only for 3×3
///   kernels with stride 1 and padding 1 (other convolutions run direct whatever is asked).
///
/// The default (`automatic`) picks per shape; the environment variable `DIFFUSE_CONV` (read once) overrides
/// it for every convolution of the process: `direct`, `winograd` (= F2), `winograd2`, `winograd4` or `auto`.
public enum ConvAlgorithm: String, Sendable, CaseIterable {
    case direct
    case winogradF2 = "winograd2"
    case winogradF4 = "winograd4"

    /// Whether Winograd can compute this convolution (3×3, stride 1, padding 1).
    static func winogradApplies(_ g: ConvGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.padding == 1
    }

    /// The algorithm used for `g` when the caller does not ask for one: `DIFFUSE_CONV`, else `automatic(g)`.
    static func choice(for g: ConvGeometry) -> ConvAlgorithm {
        switch environmentChoice {
        case .some(let forced): forced
        case .none: automatic(g)
        }
    }

    /// Winograd where it measured faster than direct (`diffuse bench ops --filter conv3x3_`, 2 threads): every
    /// UNet and VAE decoder shape with ≥ 32 channels. F(4×4) from `minimumTilesF4` tiles of 4 × 4 per call
    /// (1.2–2× faster than F(2×2) from 64² down to 16², batch 1; level at 8², batch 2), else F(2×2) from
    /// `minimumTilesF2` tiles of 2 × 2 (8², batch 1: 17 ms against 21 ms direct and 37 ms F(4×4)).
    /// Fewer channels (conv_in, conv_out) stay direct: the transforms would cost more than the products.
    static func automatic(_ g: ConvGeometry) -> ConvAlgorithm {
        guard winogradApplies(g), min(g.inChannels, g.outChannels) >= minimumChannels else { return .direct }
        let tiles4 = g.images * ((g.height + 3) / 4) * ((g.width + 3) / 4)
        let tiles2 = g.images * ((g.height + 1) / 2) * ((g.width + 1) / 2)
        if tiles4 >= minimumTilesF4 { return .winogradF4 }
        return tiles2 >= minimumTilesF2 ? .winogradF2 : .direct
    }

    nonisolated(unsafe) static var minimumTilesF4 = 8
    nonisolated(unsafe) static var minimumTilesF2 = 16
    /// Fewest input and output channels for which `automatic` takes Winograd.
    nonisolated(unsafe) static var minimumChannels = 32

    /// `DIFFUSE_CONV`, parsed once; nil for unset, empty or `auto`. An unknown value is reported on stderr
    /// and ignored.
    static let environmentChoice: ConvAlgorithm? = {
        guard let raw = getenv("DIFFUSE_CONV").map({ String(cString: $0).lowercased() }), !raw.isEmpty,
              raw != "auto" else { return nil }
        if raw == "winograd" { return .winogradF2 }
        if let value = ConvAlgorithm(rawValue: raw) { return value }
        let message = "diffuse: DIFFUSE_CONV=\(raw) is not one of direct, winograd, winograd2, winograd4, auto; using auto\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        return nil
    }()
}
