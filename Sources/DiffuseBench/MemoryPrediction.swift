import DiffuseNN
import DiffusePipeline

/// Predicted peak bytes of a cell, so that cells which cannot fit are marked `oom` without running:
/// the weights (measured when the models were built) plus the activations of the largest stage.
///
/// Activations are f32 in every precision. The coefficients are rough upper estimates of what lives at
/// once at the largest resolution (skip connections kept for the up blocks, a resnet's temporaries,
/// the feed-forward's 8·C-wide GEGLU projection); they were checked against `peak_tensor_bytes` on
/// this machine (docs/benchmarks.md) and err on the high side. What separates the attention choices is
/// the score matrix: vanilla and math hold batch·heads·seq² scores and their softmax (f32) at once,
/// sliced one head's, memory-efficient about a MiB per chunk, flash a few hundred KiB.
public struct MemoryPrediction: Sendable {
    public var configs: ModelConfigs
    public init(configs: ModelConfigs) { self.configs = configs }

    /// f32 activation floats per latent pixel per batch item, in units of `block_out_channels[0]`.
    /// *Measured* (SD 1.5, flash, peak tensor bytes from batch 1 to 2): 28.7 at 512², 24.6 at 256².
    public static let unetActivationFactor = 30
    /// f32 activation floats per image pixel per batch item, in units of the VAE's `block_out_channels[1]`.
    public static let vaeActivationFactor = 4
    /// Text encoder activation floats per token per batch item, in units of `hidden_size`.
    public static let textActivationFactor = 8

    /// Weights + activations of `cell`. In bf16 on a CPU with AVX512-BF16 the weights count twice: the
    /// kernel keeps a packed copy of every weight it multiplies by (`BF16WeightCache`, Precision.swift).
    public func bytes(_ cell: BenchCell, weightBytes: Int) -> Int {
        let packedCopies = cell.precision == .bf16 && BF16GEMMBackend.isAccelerated ? weightBytes : 0
        return weightBytes + packedCopies + activationBytes(cell)
    }

    /// Activation bytes of the cell's largest stage.
    public func activationBytes(_ cell: BenchCell) -> Int {
        let b = cell.batch
        switch cell.component {
        case .unet: return unet(batch: b, cell)
        case .vae: return vae(batch: b, cell)
        case .textEncoder: return text(batch: b, cell.attention)
        case .pipeline: return max(text(batch: 2 * b, cell.attention), unet(batch: 2 * b, cell), vae(batch: b, cell))
        }
    }

    func unet(batch: Int, _ cell: BenchCell) -> Int {
        let f = configs.vaeScaleFactor
        let tokens = (cell.width / f) * (cell.height / f)
        let c0 = configs.unet.blockOutChannels.first ?? 0
        let heads = configs.unet.downBlockAttention(0).heads
        return 4 * batch * tokens * Self.unetActivationFactor * c0
            + Self.scoreBytes(cell.attention, batch: batch, heads: heads, queries: tokens, keys: tokens)
    }

    func vae(batch: Int, _ cell: BenchCell) -> Int {
        let f = configs.vaeScaleFactor
        let latentTokens = (cell.width / f) * (cell.height / f)
        let channels = configs.vae.blockOutChannels.count > 1 ? configs.vae.blockOutChannels[1] : configs.vae.blockOutChannels[0]
        return 4 * batch * cell.width * cell.height * Self.vaeActivationFactor * channels
            + Self.scoreBytes(cell.attention, batch: batch, heads: 1, queries: latentTokens, keys: latentTokens)
    }

    func text(batch: Int, _ attention: AttentionChoice) -> Int {
        let t = configs.textEncoder, tokens = t.maxPositionEmbeddings
        return 4 * batch * tokens * Self.textActivationFactor * t.hiddenSize
            + Self.scoreBytes(attention, batch: batch, heads: t.numAttentionHeads, queries: tokens, keys: tokens)
    }

    /// Bytes of attention scores one attention call holds at its peak (scores + softmax, f32).
    public static func scoreBytes(_ attention: AttentionChoice, batch: Int, heads: Int, queries: Int, keys: Int) -> Int {
        let full = 2 * 4 * batch * heads * queries * keys
        switch attention {
        case .vanilla, .math: return full
        case .sliced: return 2 * 4 * queries * keys
        case .memoryEfficient: return min(full, 2 << 20)
        case .flash, .auto: return min(full, 512 << 10)
        }
    }
}
