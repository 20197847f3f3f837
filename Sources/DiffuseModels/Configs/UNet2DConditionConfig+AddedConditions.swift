/// SDXL's added conditioning, `addition_embed_type: "text_time"` (diffusers `UNet2DConditionModel.get_aug_embed`
/// in `diffusers/models/unets/unet_2d_condition.py`): the pooled text embeddings `text_embeds` [B, P] and
/// the micro-conditioning `time_ids` [B, n] (SDXL base: original size, crop top-left, target size, n = 6;
/// the refiner replaces the target size by an aesthetic score, n = 5). `add_embedding` takes their
/// concatenation, `P + n · addition_time_embed_dim` = `projection_class_embeddings_input_dim` wide.
///
/// The config fixes only that sum, so P and n are found from each other: SDXL base 2816 = 1280 + 6 · 256,
/// the refiner 2560 = 1280 + 5 · 256 (P is the second text encoder's `projection_dim`).
extension UNet2DConditionConfig {
    /// Whether the UNet's forward needs `UNetAddedConditions` (`addition_embed_type` is `"text_time"`).
    public var requiresAddedConditions: Bool { additionEmbedType == "text_time" }

    /// `add_embedding`'s input width (`projection_class_embeddings_input_dim`) for a text_time UNet, else nil.
    public var addedEmbeddingInputWidth: Int? {
        requiresAddedConditions ? projectionClassEmbeddingsInputDim : nil
    }

    /// How many time ids the UNet takes beside text embeddings of `textEmbedsWidth` channels
    /// (`(projection_class_embeddings_input_dim − textEmbedsWidth) / addition_time_embed_dim`); nil when the
    /// UNet takes no added conditions or no positive whole count fits.
    public func addedTimeIdsCount(textEmbedsWidth: Int) -> Int? {
        guard let total = addedEmbeddingInputWidth, let d = additionTimeEmbedDim, d > 0, textEmbedsWidth > 0 else { return nil }
        let rest = total - textEmbedsWidth
        return rest > 0 && rest % d == 0 ? rest / d : nil
    }

    /// The text embeddings width the UNet takes beside `timeIdsCount` time ids
    /// (`projection_class_embeddings_input_dim − timeIdsCount · addition_time_embed_dim`); nil when the UNet
    /// takes no added conditions or the width would not be positive.
    public func addedTextEmbedsWidth(timeIdsCount: Int) -> Int? {
        guard let total = addedEmbeddingInputWidth, let d = additionTimeEmbedDim, timeIdsCount > 0 else { return nil }
        let width = total - timeIdsCount * d
        return width > 0 ? width : nil
    }
}
