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

    /// Winograd where it measured faster than direct (`diffuse bench ops --filter conv3x3_`, 2 threads, busy
    /// machine): F(4×4) from `minimumTiles` 4 × 4 tiles per call (every UNet level from 32² at batch 1 and
    /// the VAE decoder: 1.35–2.9× faster than direct, 1.2–2× faster than F(2×2)), else F(2×2) from
    /// `minimumTiles` 2 × 2 tiles (the UNet's 16² level: ≈ 2× faster than direct once its transformed
    /// weights are cached; `conv2d` runs it only when `WinogradWeightCache` holds or takes them, else direct:
    /// transforming 1280² weights each call costs 50–70 ms, more than the GEMMs). Fewer tiles (8² latents) or fewer than `minimumChannels` channels (conv_in,
    /// conv_out) stay direct: there the weight or tile transforms cost more than the multiplies saved.
    static func automatic(_ g: ConvGeometry) -> ConvAlgorithm {
        guard winogradApplies(g), min(g.inChannels, g.outChannels) >= minimumChannels else { return .direct }
        let tiles4 = g.images * ((g.height + 3) / 4) * ((g.width + 3) / 4)
        let tiles2 = g.images * ((g.height + 1) / 2) * ((g.width + 1) / 2)
        if tiles4 >= minimumTiles { return .winogradF4 }
        return tiles2 >= minimumTiles ? .winogradF2 : .direct
    }

    /// Fewest tiles per call for which `automatic` takes a Winograd variant.
    nonisolated(unsafe) static var minimumTiles = 64
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
