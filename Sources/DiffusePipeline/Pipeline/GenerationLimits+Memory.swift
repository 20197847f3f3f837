/// The memory check of a run: `MemoryModel`'s prediction for the whole generation against the limit,
/// before anything is allocated.
extension GenerationLimits {
    /// The memory model of this folder's configs (with the replacement VAE's).
    public var memoryModel: MemoryModel { MemoryModel(folder: folder, vae: vae?.config) }

    /// The weights counted: `weights`, else the parameters in the folder's (and the replacement VAE's)
    /// safetensors headers, else none (files that cannot be read fail later, when they are loaded, with
    /// their own error).
    public var weightFootprint: WeightFootprint { weights ?? (try? WeightFootprint(folder: folder, vae: vae)) ?? .bytes(0) }

    /// The prediction's request for a run of `batch` images of `width`×`height` (`vaeTiling`: the VAE
    /// tiled, `GenerationConfiguration.vaeTiling`).
    public func memoryRequest(width: Int, height: Int, batch: Int, guidance: Bool = true,
                              vaeTiling: Bool = false) -> MemoryRequest {
        var request = MemoryRequest(call: .pipeline, width: width, height: height, batch: batch, precision: precision,
                                    attention: MemoryAttention(processorName: attentionProcessor), guidance: guidance)
        if vaeTiling { request.vaeTile = folder.vae.sampleSize.height }
        return request
    }

    /// Predicted peak bytes of such a run (weights + the largest stage's activations).
    public func predictedPeakBytes(width: Int, height: Int, batch: Int, guidance: Bool = true) -> Int {
        memoryModel.peakBytes(memoryRequest(width: width, height: height, batch: batch, guidance: guidance),
                              weights: weightFootprint)
    }

    /// Throws `PipelineError.tooLarge` with the `MemoryShortfall`'s line when the run would not fit.
    /// `extraUNetParameters`: weights held beside the UNet in its dtype (the run's ControlNets).
    func checkMemory(width: Int, height: Int, batch: Int, guidance: Bool, vaeTiling: Bool = false,
                     limit: MemoryLimit?, extraUNetParameters: Int = 0) throws {
        guard let limit else { return }
        let request = memoryRequest(width: width, height: height, batch: batch, guidance: guidance, vaeTiling: vaeTiling)
        let weights = extraUNetParameters > 0 ? weightFootprint.addingUNetParameters(extraUNetParameters) : weightFootprint
        if let shortfall = memoryModel.shortfall(request, weights: weights, limit: limit) {
            throw PipelineError(.tooLarge, shortfall.description)
        }
    }
}
