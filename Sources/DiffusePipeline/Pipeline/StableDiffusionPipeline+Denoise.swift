import DiffuseCore
import DiffuseSchedulers
import DiffuseSources

/// The denoising loop shared by text-to-image and image-to-image (diffusers `__call__`, "7. Denoising loop").
extension StableDiffusionPipeline {
    /// latents [N, 4, h, w] → latents [N, 4, h, w] after every timestep in `timesteps`.
    /// embeddings: [2N, 77, hidden] ([uncond, cond]) when `guidance > 1`, else [N, 77, hidden].
    func denoise(latents start: Tensor, timesteps: [Double], scheduler: inout any Scheduler,
                 embeddings: Tensor, guidance: Double, random: inout TorchRandomSource,
                 callback: StepCallback?) throws -> Tensor {
        defer { releaseResidentWeights(.unet) }
        var latents = start
        let useGuidance = guidance > 1
        let clock = ContinuousClock(), began = clock.now
        for (i, t) in timesteps.enumerated() {
            // [N, 4, h, w] → [2N, 4, h, w] with guidance (torch.cat([latents] * 2))
            let input = useGuidance ? backend.concat([latents, latents], dim: 0) : latents
            let scaled = try scheduler.scaleModelInput(input, timestep: t)
            let prediction = try (compiledUNet.map { try $0(sample: scaled, timestep: Float(t), encoderHiddenStates: embeddings) }
                ?? unet.forward(sample: scaled, timestep: Float(t), encoderHiddenStates: embeddings)).converted(to: .f32)
            // [2N, 4, h, w] → [N, 4, h, w]: u + g·(c − u)
            let noise = useGuidance ? Self.guided(prediction, scale: Float(guidance)) : prediction
            latents = try scheduler.step(modelOutput: noise, timestep: t, sample: latents, random: &random)
            if let callback {
                let elapsed = clock.now - began
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                let step = GenerationStep(step: i + 1, stepCount: timesteps.count, timestep: t,
                                          latents: latents, elapsed: seconds)
                if callback(step) == .cancel {
                    throw PipelineError(.cancelled, "generation cancelled after step \(i + 1) of \(timesteps.count)")
                }
            }
        }
        return latents
    }

    /// prediction [2N, …] = [uncond; cond] → u + g·(c − u) [N, …], in f32 in diffusers' operation order.
    static func guided(_ prediction: Tensor, scale: Float) -> Tensor {
        let halves = prediction.chunked(2, dim: 0)
        let u = halves[0].contiguous().floats(), c = halves[1].contiguous().floats()
        var out = [Float](repeating: 0, count: u.count)
        for i in 0..<u.count {
            let difference = c[i] - u[i]
            let scaled = scale * difference
            out[i] = u[i] + scaled
        }
        return Tensor(out, shape: halves[0].shape)
    }

    /// Unscaled decode of UNet latents [N, 4, h, w] → images [N, 3, h·f, w·f] in about [-1, 1]
    /// (`vae.decode(latents / scaling_factor)`; for previews too).
    /// The VAE's mapped weights are released afterwards (`releaseResidentWeights`).
    public func decode(latents: Tensor) throws -> Tensor {
        var z = backend.scale(latents.converted(to: .f32), by: 1 / vae.scalingFactor)
        if let shift = vae.shiftFactor { z = backend.add(z, Tensor([shift], shape: [1])) }
        let images = try vae.decode(z).converted(to: .f32)
        releaseResidentWeights(.vae)
        return images
    }
}

extension StepAction: Equatable {}
