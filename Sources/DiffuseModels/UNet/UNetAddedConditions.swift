import DiffuseCore

/// diffusers' `added_cond_kwargs` for `addition_embed_type: "text_time"` (SDXL; `UNet2DConditionModel.forward`
/// in diffusers/models/unets/unet_2d_condition.py): what the UNet adds to its time embedding (see
/// `TextTimeEmbedding`). The widths the UNet expects are answered by its config
/// (`requiresAddedConditions`, `addedTimeIdsCount(textEmbedsWidth:)`, `addedTextEmbedsWidth(timeIdsCount:)`).
public struct UNetAddedConditions: Sendable {
    /// `text_embeds` [B, P]: the second text encoder's pooled, projected output (SDXL: P = 1280), any
    /// floating dtype, on the backend's device or in host memory (uploaded then).
    public var textEmbeds: Tensor
    /// `time_ids` [B, n]: SDXL base's 6 (original height, width, crop top, left, target height, width) or
    /// the refiner's 5 (… aesthetic score instead of the target size), any numeric dtype, usually in host
    /// memory (uploaded by the forward).
    public var timeIds: Tensor

    public init(textEmbeds: Tensor, timeIds: Tensor) {
        self.textEmbeds = textEmbeds
        self.timeIds = timeIds
    }
}
