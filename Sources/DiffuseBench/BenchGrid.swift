import DiffuseNN
import DiffusePipeline

/// The grid `diffuse bench <component>` runs: every combination of the options, ordered so that models
/// are built once per precision and vanilla (the speed-up's reference) runs first at each batch.
public struct BenchGrid: Sendable {
    public var arch: String
    public var component: BenchComponent
    /// (width, height) pairs.
    public var sizes: [(width: Int, height: Int)]
    public var batches: [Int]
    public var attentions: [AttentionChoice]
    public var precisions: [Precision]
    public var compiled: [Bool]
    /// Decoders of `vae` and `pipeline` cells (ignored by the other components).
    public var vaes: [BenchVAE]

    public init(arch: String, component: BenchComponent, sizes: [(width: Int, height: Int)], batches: [Int],
                attentions: [AttentionChoice], precisions: [Precision], compiled: [Bool] = [false],
                vaes: [BenchVAE] = [.kl]) {
        self.arch = arch
        self.component = component
        self.sizes = sizes
        self.batches = batches
        self.attentions = attentions
        self.precisions = precisions
        self.compiled = compiled
        self.vaes = component.needsVAE ? vaes : [.kl]
    }

    /// precision → compiled → decoder → size → batch (ascending) → attention (vanilla first, then as given).
    public var cells: [BenchCell] {
        let orderedAttention = unique(attentions.filter { $0 == .vanilla } + attentions.filter { $0 != .vanilla })
        var out: [BenchCell] = []
        for precision in unique(precisions) {
            for compiled in unique(compiled) {
                for (vae, size) in unique(vaes).flatMap({ vae in sizes.map { (vae, $0) } }) {
                    for batch in unique(batches).sorted() {
                        out += orderedAttention.map { attention in
                            BenchCell(arch: arch, component: component, width: size.width, height: size.height,
                                      batch: batch, attention: attention, precision: precision, compiled: compiled,
                                      vae: vae)
                        }
                    }
                }
            }
        }
        return out
    }

    /// The largest image side and batch a cell may ask for: twice `GenerationLimits.maximumSide`, and 1024
    /// images — far past where any cell fits in memory (the grid marks those `oom`), small enough that the
    /// memory prediction's products stay within 64-bit integers.
    public static let maxSide = 2 * GenerationLimits.maximumSide
    public static let maxBatch = 1024

    /// Parses `--size` values: `512` (square) or `768x512` (width × height); positive multiples of 8
    /// (SD's VAE factor). Throws a one-line message naming the bad value.
    public static func parseSize(_ text: String) throws -> (width: Int, height: Int) {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard (parts.count == 1 || parts.count == 2), parts.allSatisfy({ $0 != nil }) else {
            throw BenchError("--size \(text) is not N or WxH (e.g. 512 or 768x512)")
        }
        let width = parts[0]!, height = parts.count == 2 ? parts[1]! : parts[0]!
        guard width >= 8, height >= 8, width % 8 == 0, height % 8 == 0 else {
            throw BenchError("--size \(text): width and height must be positive multiples of 8")
        }
        guard width <= maxSide, height <= maxSide else {
            throw BenchError("--size \(text): at most \(maxSide) pixels a side (twice what `generate` accepts; beyond it the memory prediction alone overflows)")
        }
        return (width, height)
    }

    private func unique<T: Equatable>(_ values: [T]) -> [T] {
        var seen: [T] = []
        for value in values where !seen.contains(value) { seen.append(value) }
        return seen
    }
}
