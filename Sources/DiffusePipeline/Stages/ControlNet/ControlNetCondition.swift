import DiffuseCore
import DiffuseModels

/// One ControlNet of a run (diffusers' `controlnet`, `image`, `controlnet_conditioning_scale`,
/// `control_guidance_start`, `control_guidance_end`; several = `MultiControlNetModel`).
public struct ControlNetCondition: @unchecked Sendable {
    /// The loaded model (`StableDiffusionPipeline.makeControlNet`).
    public var model: ControlNetModel
    /// The control image at the output size, [1, 3, H, W] in [0, 1] (`RGBImage.controlTensor()`:
    /// diffusers' `control_image_processor`, resized, not normalised).
    public var image: Tensor
    /// `controlnet_conditioning_scale`: how strongly the residuals count (default 1).
    public var scale: Double = 1.0
    /// The fraction of the steps over which it acts: step i (of n) uses it when
    /// start ≤ i/n and (i+1)/n ≤ end (diffusers' `controlnet_keep`). Defaults 0 and 1: every step.
    public var start: Double = 0.0
    public var end: Double = 1.0
    /// diffusers' `guess_mode`: with guidance the ControlNet sees only the conditional half (the
    /// unconditional half gets no residuals), and its residuals are scaled from 0.1× (first skip) to 1×
    /// (mid block). Lets a ControlNet steer with an empty prompt.
    public var guessMode = false

    public init(model: ControlNetModel, image: Tensor, scale: Double = 1.0, start: Double = 0.0, end: Double = 1.0,
                guessMode: Bool = false) {
        self.model = model
        self.image = image
        self.scale = scale
        self.start = start
        self.end = end
        self.guessMode = guessMode
    }

    /// Whether step `index` of `count` uses this ControlNet (diffusers:
    /// `1.0 - float(i / len(timesteps) < s or (i + 1) / len(timesteps) > e)`).
    public func isActive(step index: Int, of count: Int) -> Bool {
        !(Double(index) / Double(count) < start || Double(index + 1) / Double(count) > end)
    }
}
