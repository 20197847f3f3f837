import DiffuseCore
import DiffuseModels
import DiffusePipeline

/// The seeded synthetic inputs of one cell's timed call (made once, outside the timing): token ids, latents,
/// the prompt embeddings a UNet cell takes, and the added conditions of an SDXL UNet.
struct BenchInputs {
    let configs: ModelConfigs
    let cell: BenchCell
    let seed: UInt64

    /// The latents' height and width (the image's over the VAE factor).
    var latentSize: (height: Int, width: Int) {
        (cell.height / configs.vaeScaleFactor, cell.width / configs.vaeScaleFactor)
    }

    /// Token ids [B, 77], spread over the vocabulary (xorshift; both SDXL encoders have the same vocabulary).
    func ids(_ batch: Int) -> Tensor {
        var state = seed | 1
        let vocab = configs.textEncoder.vocabSize, length = configs.textEncoder.maxPositionEmbeddings
        let values = (0..<batch * length).map { _ -> Int in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(vocab))
        }
        return Tensor(ids: values, shape: [batch, length])
    }

    /// Latents [B, C, h, w] (C: the UNet's input channels, or `channels`), uniform in ±1.
    func latents(_ batch: Int, channels: Int? = nil) -> Tensor {
        SyntheticWeights.uniform(latentShape(batch, channels: channels), seed: seed &+ 5)
    }

    func latentShape(_ batch: Int, channels: Int? = nil) -> [Int] {
        [batch, channels ?? configs.unet.inChannels, latentSize.height, latentSize.width]
    }

    /// Prompt embeddings [B, 77, D] (D: the UNet's context width; SDXL 2048), uniform in ±1.
    func context(_ batch: Int) -> Tensor {
        SyntheticWeights.uniform(contextShape(batch), seed: seed &+ 7)
    }

    func contextShape(_ batch: Int) -> [Int] {
        [batch, configs.textEncoder.maxPositionEmbeddings, configs.contextWidth]
    }

    /// SDXL's added conditions for a UNet that `requiresAddedConditions` (nil for any other): `text_embeds`
    /// [B, P] — `textEmbeds` (the pooled output of the prompt stage) or uniform in ±1 — and `time_ids`
    /// [B, n] for the cell's size as the SDXL pipeline makes them (`SDXLTimeIds`: [H, W, 0, 0, H, W]).
    func added(_ batch: Int, textEmbeds: Tensor? = nil) throws -> UNetAddedConditions? {
        guard let shapes = try addedShapes(batch) else { return nil }
        let layout = try SDXLTimeIds.layout(timeIdsCount: shapes.timeIds[1], declared: nil)
        let row = layout.rows(size: (cell.width, cell.height), aestheticScore: 6, negativeAestheticScore: 2.5).cond
        return UNetAddedConditions(
            textEmbeds: textEmbeds ?? SyntheticWeights.uniform(shapes.textEmbeds, seed: seed &+ 8),
            timeIds: Tensor((0..<batch).flatMap { _ in row }, shape: shapes.timeIds))
    }

    /// `text_embeds` [B, P] and `time_ids` [B, n] of an SDXL UNet (P: text_encoder_2's `projection_dim`,
    /// n from the UNet's `add_embedding` width); nil for a UNet without added conditions.
    func addedShapes(_ batch: Int) throws -> (textEmbeds: [Int], timeIds: [Int])? {
        let unet = configs.unet
        guard unet.requiresAddedConditions else { return nil }
        guard let pooled = configs.textEncoder2?.projectionDim ?? unet.addedTextEmbedsWidth(timeIdsCount: 6),
              let count = unet.addedTimeIdsCount(textEmbedsWidth: pooled) else {
            throw BenchError("the SDXL UNet's add_embedding width (projection_class_embeddings_input_dim) does not fit text_encoder_2's projection_dim plus 5 or 6 time ids")
        }
        return ([batch, pooled], [batch, count])
    }
}
