import DiffuseNN
import DiffusePipeline

/// One point of the grid: a component of a model family at an image size, batch, attention choice,
/// precision and compilation setting.
public struct BenchCell: Sendable, Equatable {
    public var arch: String
    public var component: BenchComponent
    public var width: Int
    public var height: Int
    public var batch: Int
    public var attention: AttentionChoice
    public var precision: Precision
    public var compiled: Bool
    /// The decoder of `vae` and `pipeline` cells (`kl` for the others).
    public var vae: BenchVAE

    public init(arch: String, component: BenchComponent, width: Int, height: Int, batch: Int,
                attention: AttentionChoice, precision: Precision, compiled: Bool = false, vae: BenchVAE = .kl) {
        self.arch = arch
        self.component = component
        self.width = width
        self.height = height
        self.batch = batch
        self.attention = attention
        self.precision = precision
        self.compiled = compiled
        self.vae = vae
    }

    /// The same cell with vanilla attention (the speed-up's reference).
    public var vanillaReference: BenchCell {
        var cell = self
        cell.attention = .vanilla
        return cell
    }
}
