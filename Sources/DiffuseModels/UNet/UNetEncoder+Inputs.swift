import DiffuseCore

/// The shape checks of the UNet's and the ControlNet's `forward`: each failure is a `UNetInputError` naming the argument, its shape and
/// what was expected.
extension UNetEncoder {
    func checkInputs(sample: Tensor, timestep: Tensor, encoderHiddenStates: Tensor,
                     added: UNetAddedConditions?) throws {
        guard sample.rank == 4, sample.size(1) == config.inChannels, sample.dtype.isFloatingPoint else {
            throw UNetInputError(argument: "sample", message:
                "has shape \(sample.shape) (\(sample.dtype)); expected floating [B, \(config.inChannels), H, W]")
        }
        let batch = sample.size(0)
        guard batch > 0, sample.size(2) > 0, sample.size(3) > 0 else {
            throw UNetInputError(argument: "sample", message:
                "has shape \(sample.shape); batch, height and width must be positive")
        }
        guard timestep.rank <= 1, timestep.count == 1 || timestep.count == batch else {
            throw UNetInputError(argument: "timestep", message:
                "has shape \(timestep.shape); expected a scalar, [1] or one per batch element [\(batch)]")
        }
        let textWidths = Set(config.crossAttentionDims)
        guard encoderHiddenStates.rank == 3, encoderHiddenStates.size(0) == batch,
              textWidths.contains(encoderHiddenStates.size(2)), encoderHiddenStates.dtype.isFloatingPoint else {
            throw UNetInputError(argument: "encoderHiddenStates", message:
                "has shape \(encoderHiddenStates.shape); expected [\(batch), L, \(textWidths.sorted().map(String.init).joined(separator: " or "))] "
                + "(batch of the sample, cross_attention_dim of the config)")
        }
        try checkAdded(added, batch: batch)
    }

    /// `added` is given exactly for a text_time UNet, with [B, P] text embeds and [B, n] time ids such that
    /// P + n · addition_time_embed_dim = projection_class_embeddings_input_dim.
    private func checkAdded(_ added: UNetAddedConditions?, batch: Int) throws {
        guard let total = config.addedEmbeddingInputWidth, let d = config.additionTimeEmbedDim else {
            if added != nil {
                throw UNetInputError(argument: "added", message:
                    "was given, but this UNet takes no added conditions (addition_embed_type is "
                    + (config.additionEmbedType.map { "\"\($0)\"" } ?? "null") + "; only SDXL's \"text_time\" UNets take them)")
            }
            return
        }
        guard let added else {
            throw UNetInputError(argument: "added", message:
                "is missing: this UNet has addition_embed_type \"text_time\" (SDXL) and needs UNetAddedConditions "
                + "with text_embeds [B, P] and time_ids [B, n], P + n × \(d) = \(total) (SDXL: P = 1280, n = 6; refiner n = 5)")
        }
        let text = added.textEmbeds, ids = added.timeIds
        guard text.rank == 2, text.size(0) == batch, text.dtype.isFloatingPoint else {
            throw UNetInputError(argument: "added.textEmbeds", message:
                "has shape \(text.shape) (\(text.dtype)); expected floating [\(batch), P] (batch of the sample)")
        }
        guard let expectedIds = config.addedTimeIdsCount(textEmbedsWidth: text.size(1)) else {
            throw UNetInputError(argument: "added.textEmbeds", message:
                "has width \(text.size(1)), which leaves no whole number of time ids: projection_class_embeddings_input_dim "
                + "\(total) = text_embeds width + time-id count × addition_time_embed_dim \(d)")
        }
        guard ids.rank == 2, ids.size(0) == batch, ids.size(1) == expectedIds else {
            throw UNetInputError(argument: "added.timeIds", message:
                "has shape \(ids.shape); expected [\(batch), \(expectedIds)]: with text_embeds of width \(text.size(1)), "
                + "projection_class_embeddings_input_dim \(total) leaves \(expectedIds) time ids of \(d) channels")
        }
    }
}
