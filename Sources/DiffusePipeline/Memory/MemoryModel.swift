import DiffuseSources
import DiffuseModels

/// Predicted peak bytes of a UNet / VAE / text-encoder call or a whole generation
/// (`MemoryRequest`): the weights (`WeightFootprint`) plus the activations of the largest stage. The
/// one model behind the benchmark's `predicted` column and `oom` marks, the pipeline's refusal of a
/// run that cannot fit, and `--memory-limit` (`shortfall`, MemoryModel+Fit.swift).
///
/// Activations are f32 in every precision. The coefficients are rough upper estimates of what lives at
/// once at the largest resolution (skip connections kept for the up blocks, a resnet's temporaries,
/// the feed-forward's 8·C-wide GEGLU projection); they were checked against `peak_tensor_bytes` on
/// this machine (docs/benchmarks.md) and err on the high side. What separates the attention choices is
/// the score matrix (`MemoryAttention`).
public struct MemoryModel: Sendable {
    public var unet: UNet2DConditionConfig
    /// The VAE that decodes: the model's own, or the one given to replace it (`--vae`).
    public var vae: VAEConfig
    public var textEncoder: CLIPTextConfig
    /// SDXL's `text_encoder_2`, run after the first: the text stage's peak is the larger encoder's.
    public var textEncoder2: CLIPTextConfig?
    /// Whether bf16 weight products run on the AVX512-BF16 kernel, which keeps packed weight copies.
    public var bf16Accelerated: Bool

    public init(unet: UNet2DConditionConfig, vae: VAEConfig, textEncoder: CLIPTextConfig,
                textEncoder2: CLIPTextConfig? = nil, bf16Accelerated: Bool = BF16GEMMBackend.isAccelerated) {
        self.unet = unet
        self.vae = vae
        self.textEncoder = textEncoder
        self.textEncoder2 = textEncoder2
        self.bf16Accelerated = bf16Accelerated
    }

    /// The configs of a model folder (the SDXL refiner's only encoder as `textEncoder`), with `vae` in place
    /// of its VAE when given.
    public init(folder: ModelFolder, vae: VAEConfig? = nil) {
        self.init(unet: folder.unet, vae: vae ?? .autoencoderKL(folder.vae),
                  textEncoder: folder.textEncoder ?? folder.widestTextEncoder, textEncoder2: folder.textEncoder2)
    }

    /// f32 activation floats per latent pixel per batch item, in units of `block_out_channels[0]`.
    /// *Measured* (SD 1.5, flash, peak tensor bytes from batch 1 to 2): 28.7 at 512², 24.6 at 256².
    public static let unetActivationFactor = 30
    /// f32 activation floats per image pixel per batch item, in units of the VAE's `block_out_channels[1]`
    /// (an `AutoencoderTiny`'s width: it keeps one stage's width at full resolution).
    public static let vaeActivationFactor = 4
    /// Text encoder activation floats per token per batch item, in units of `hidden_size`.
    public static let textActivationFactor = 8

    /// Pixels per latent.
    public var vaeScaleFactor: Int { vae.scaleFactor }

    /// Weights + activations of `request`. A whole generation peaks in its largest stage: the text
    /// encoders and the UNet hold the bf16 kernel's packed weight copies, the VAE decode (the largest
    /// activations at big sizes) runs after the pipeline has dropped them (`ResidentWeights`).
    public func peakBytes(_ request: MemoryRequest, weights: WeightFootprint) -> Int {
        guard request.call == .pipeline else { return weightBytes(request, weights) + activationBytes(request) }
        let packed = weights.packedBytes(.pipeline, policy: policy(request))
        let held = weightBytes(request, weights) - packed
        let guided = request.guidedBatch
        let modelStages = packed + max(textBytes(batch: guided, request.attention), unetBytes(batch: guided, request))
        return held + max(modelStages, vaeBytes(batch: request.batch, request))
    }

    func policy(_ request: MemoryRequest) -> PrecisionPolicy {
        PrecisionPolicy(request.precision, bf16Accelerated: bf16Accelerated)
    }

    /// The weights `request` holds (`WeightFootprint.bytes`).
    public func weightBytes(_ request: MemoryRequest, _ weights: WeightFootprint) -> Int {
        weights.bytes(request.call, policy: policy(request))
    }

    /// Activation bytes of the request's largest stage.
    public func activationBytes(_ request: MemoryRequest) -> Int {
        let b = request.batch
        switch request.call {
        case .unet: return unetBytes(batch: b, request)
        case .vae: return vaeBytes(batch: b, request)
        case .textEncoder: return textBytes(batch: b, request.attention)
        case .pipeline:
            let guided = request.guidedBatch
            return max(textBytes(batch: guided, request.attention), unetBytes(batch: guided, request), vaeBytes(batch: b, request))
        }
    }

    /// Activations at the full latent resolution, plus the self-attention scores of the first level with
    /// attention (SD: level 0; SDXL: level 1, whose latents are half as wide and high, 10 heads).
    func unetBytes(batch: Int, _ request: MemoryRequest) -> Int {
        let f = vaeScaleFactor
        let (w, h) = (request.width / f, request.height / f)
        let c0 = unet.blockOutChannels.first ?? 0
        var scores = 0
        if let level = unet.downBlockTypes.firstIndex(where: { $0.hasPrefix("CrossAttn") }) {
            let side = { (n: Int) in (n + (1 << level) - 1) >> level }     // each Downsample2D: ceil(n / 2)
            let tokens = side(w) * side(h)
            scores = request.attention.scoreBytes(batch: batch, heads: unet.downBlockAttention(level).heads,
                                                  queries: tokens, keys: tokens)
        }
        return 4 * batch * w * h * Self.unetActivationFactor * c0 + scores
    }

    /// AutoencoderKL: full-resolution activations plus the mid-block attention's scores over the latent
    /// pixels — with tiling (`request.vaeTile`), one tile of one image plus the tiles and the image they are
    /// joined into; AutoencoderTiny: the activations only (no attention; it decodes whole).
    func vaeBytes(batch: Int, _ request: MemoryRequest) -> Int {
        let f = vaeScaleFactor
        switch vae {
        case .autoencoderKL(let kl):
            let channels = kl.blockOutChannels.count > 1 ? kl.blockOutChannels[1] : kl.blockOutChannels.first ?? 0
            var (b, width, height, output) = (batch, request.width, request.height, 0)
            if let tile = request.vaeTile, width > tile || height > tile {
                (b, width, height) = (1, min(width, tile), min(height, tile))
                output = 2 * 4 * batch * 3 * request.width * request.height   // the tiles and the joined image
            }
            let latentTokens = (width / f) * (height / f)
            return 4 * b * width * height * Self.vaeActivationFactor * channels + output
                + request.attention.scoreBytes(batch: b, heads: 1, queries: latentTokens, keys: latentTokens)
        case .autoencoderTiny(let tiny):
            let pixels = 4 * batch * request.width * request.height * Self.vaeActivationFactor
            return pixels * max(tiny.decoderBlockOutChannels.max() ?? 0, tiny.encoderBlockOutChannels.max() ?? 0)
        }
    }

    /// The larger of the text encoders' activations (SDXL runs them one after the other).
    func textBytes(batch: Int, _ attention: MemoryAttention) -> Int {
        [textEncoder, textEncoder2].compactMap { $0 }.map { t in
            let tokens = t.maxPositionEmbeddings
            return 4 * batch * tokens * Self.textActivationFactor * t.hiddenSize
                + attention.scoreBytes(batch: batch, heads: t.numAttentionHeads, queries: tokens, keys: tokens)
        }.max()!
    }
}
