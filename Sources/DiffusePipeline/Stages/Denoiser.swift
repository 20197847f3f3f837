import DiffuseCore
import DiffuseModels
import DiffuseSchedulers

/// Where a denoising step is.
public struct DenoisingStep: Sendable {
    /// 0-based index of the step and the number of steps.
    public let index: Int
    public let count: Int
    /// The scheduler timestep.
    public let timestep: Double

    public init(index: Int, count: Int, timestep: Double) {
        self.index = index
        self.count = count
        self.timestep = timestep
    }
}

/// What the model of one step receives; hooks may add to it.
public struct DenoiserInputs: @unchecked Sendable {
    /// The scaled model input [B, C, h, w] (B = 2N with guidance).
    public var sample: Tensor
    public var timestep: Float
    /// [B, L, hidden].
    public var encoderHiddenStates: Tensor
    /// Extra conditioning by diffusers' argument name: SDXL's `added_cond_kwargs` (`text_embeds`,
    /// `time_ids`), inpainting's mask and masked-image latents.
    public var extras: [String: Tensor]
    /// The ControlNets' residuals for this call (`ControlNetHook`), nil without ControlNet.
    public var control: ControlNetResiduals? = nil

    public init(sample: Tensor, timestep: Float, encoderHiddenStates: Tensor, extras: [String: Tensor] = [:]) {
        self.sample = sample
        self.timestep = timestep
        self.encoderHiddenStates = encoderHiddenStates
        self.extras = extras
    }
}

/// A hook that adds conditioning to every model call (ControlNet residuals, SDXL's added time ids).
public protocol ConditioningHook: Sendable {
    func prepare(_ inputs: inout DenoiserInputs, step: DenoisingStep) throws
}

/// Stage 3's model: the noise prediction for `latents` at `step` — the scheduler's input scaling, the
/// model (with its hooks), and classifier-free guidance u + g·(c − u) when the conditioning is guided.
public protocol Denoiser: Sendable {
    func predict(_ latents: Tensor, step: DenoisingStep, conditioning: Conditioning, guidance: Float,
                 scheduler: any Scheduler) throws -> Tensor
    /// Called once the loop is over (e.g. to drop the model's weights from resident memory).
    func finished()
}

extension Denoiser {
    public func finished() {}
}

/// Classifier-free guidance (diffusers' `noise_pred_uncond + guidance_scale · (noise_pred_text −
/// noise_pred_uncond)`), f32 in diffusers' operation order: prediction [2N, …] = [uncond; cond] → [N, …].
public enum ClassifierFreeGuidance {
    public static func combine(_ prediction: Tensor, scale: Float, backend: any Backend) -> Tensor {
        let halves = prediction.chunked(2, dim: 0)
        let u = halves[0], c = halves[1]
        return backend.linearCombination([(1, u), (scale, backend.sub(c, u))])
    }
}
