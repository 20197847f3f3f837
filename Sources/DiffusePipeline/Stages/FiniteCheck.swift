import DiffuseCore

/// Stops a run whose numbers have gone non-finite (NaN or ±∞) at the stage where it happened, instead of
/// writing a black image with exit 0 (issue #20): NaN or ∞ weights, a broken noise schedule, a guidance
/// scale that overflows. `DiffusionPipeline.generate` checks the prompt stage's conditioning, the latents
/// after the first and the last denoising step, and the decoded images; each is small next to the model
/// call that made it (a [N, 4, 64, 64] latent is 64 KiB; on a device, three small downloads a run).
public enum FiniteCheck {
    /// Throws `PipelineError(.nonFinite, …)` naming `stage` and the likely cause when `tensor` holds a
    /// NaN or an infinity.
    public static func require(_ tensor: Tensor, _ stage: @autoclosure () -> String, cause: @autoclosure () -> String) throws {
        let host = tensor.toHost().hostConverted(to: .f32)
        let values = UnsafeBufferPointer(start: host.pointer(as: Float.self), count: host.count)
        // v · 0 is 0 for every finite v and NaN for NaN and ±∞: one branch-free pass.
        var sum: Float = 0
        for v in values { sum += v * 0 }
        guard !sum.isFinite else { return }
        let bad = values.firstIndex { !$0.isFinite }.map { "\(values[$0])" } ?? "NaN"
        throw PipelineError(.nonFinite, "non-finite values (\(bad)) in \(stage()): \(cause())")
    }
}
