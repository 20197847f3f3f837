import DiffuseCore
import DiffuseModels

/// The checks of a run's ControlNets (`GenerationConfiguration.controlNets`), and whether a ControlNet
/// fits this model at all.
extension GenerationLimits {
    /// The largest |conditioning scale| accepted (A1111's slider stops at 2; diffusers sets no bound).
    public static let maximumControlScale = 10.0

    /// Throws `PipelineError.unsupportedModel` when a ControlNet with `config` cannot serve this model's
    /// UNet: its encoder must have the UNet's layout (block widths, layers, cross-attention width, SDXL's
    /// added embedding) and its conditioning embedding must halve the image as often as the VAE does.
    public func checkControlNet(_ config: ControlNetConfig, path: String) throws {
        let unet = folder.unet, cn = config.unet
        var differences: [String] = []
        if cn.blockOutChannels != unet.blockOutChannels { differences.append("block_out_channels \(cn.blockOutChannels) vs \(unet.blockOutChannels)") }
        if cn.layersPerBlockList != unet.layersPerBlockList { differences.append("layers_per_block \(cn.layersPerBlockList) vs \(unet.layersPerBlockList)") }
        if cn.crossAttentionDims != unet.crossAttentionDims { differences.append("cross_attention_dim \(cn.crossAttentionDims) vs \(unet.crossAttentionDims)") }
        if cn.requiresAddedConditions != unet.requiresAddedConditions {
            differences.append(cn.requiresAddedConditions ? "an SDXL ControlNet for a model without SDXL's added conditions"
                                                          : "an SD 1.x / 2.x ControlNet for an SDXL model")
        }
        if 1 << config.conditioningDownsamplings != vaeScaleFactor {
            differences.append("its conditioning embedding shrinks the image \(1 << config.conditioningDownsamplings)×, the VAE \(vaeScaleFactor)×")
        }
        guard differences.isEmpty else {
            throw PipelineError(.unsupportedModel, "\(path): this ControlNet is made for another model ("
                + differences.joined(separator: "; ") + " — ControlNet vs this model); give one made for this model's family")
        }
    }

    /// Each ControlNet of `config`: made for this model, its image [1, 3, H, W] at the output size, a
    /// finite scale within ±`maximumControlScale`, and 0 ≤ start < end ≤ 1.
    func validateControlNets(_ config: GenerationConfiguration, size: (width: Int, height: Int)) throws {
        func invalid(_ message: String) -> PipelineError { PipelineError(.invalidConfiguration, message) }
        for (i, c) in config.controlNets.enumerated() {
            let which = config.controlNets.count == 1 ? "the ControlNet" : "ControlNet \(i + 1)"
            try checkControlNet(c.model.config, path: c.model.config.sourceFile)
            let image = c.image
            guard image.rank == 4, image.size(0) == 1, image.size(1) == c.model.config.conditioningChannels else {
                throw invalid("\(which)'s control image must be a [1, \(c.model.config.conditioningChannels), H, W] tensor (RGBImage.controlTensor()), got \(image.shape)")
            }
            guard image.size(3) == size.width, image.size(2) == size.height else {
                throw invalid("\(which)'s control image is \(image.size(3))×\(image.size(2)) but the output \(size.width)×\(size.height); resize it to the output size")
            }
            guard c.scale.isFinite, abs(c.scale) <= Self.maximumControlScale else {
                throw invalid("\(which)'s scale must be between -\(Int(Self.maximumControlScale)) and \(Int(Self.maximumControlScale)) (usual: 0.5–1.5), got \(c.scale)")
            }
            guard c.start >= 0, c.start < c.end, c.end <= 1 else {
                throw invalid("\(which)'s start and end must satisfy 0 ≤ start < end ≤ 1 (fractions of the steps), got \(c.start) and \(c.end)")
            }
        }
    }
}
