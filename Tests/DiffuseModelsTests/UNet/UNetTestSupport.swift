import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// The tiny fixture UNets (`Fixtures/tiny-{sd1,sd2,sdxl}/unet`) and their diffusers references
/// (`reference.safetensors`, tensors `unet.*`, see Fixtures/README.md).
enum TinyUNet {
    /// The UNet of `tiny-sd1`, `tiny-sd2` or `tiny-sdxl` (`folder`: `unet`, or `unet_nested` in tiny-sdxl),
    /// computing in `dtype` on `backend`.
    static func load(_ family: String, folder: String = "unet", dtype: DType = .f32,
                     backend: any Backend = CPUBackend()) throws -> UNet2DConditionModel {
        try UNet2DConditionModel(directory: FixturePaths.path("tiny-\(family)/\(folder)"), dtype: dtype, backend: backend)
    }

    static func reference(_ family: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(path: FixturePaths.path("tiny-\(family)/reference.safetensors"))
    }

    /// The reference inputs: sample [2, 4, 16, 16], timestep 981 (i64 scalar), text [2, 77, 32].
    static func inputs(_ family: String) throws -> (sample: Tensor, timestep: Tensor, text: Tensor) {
        let r = try reference(family)
        return (try r.tensor("unet.sample"), try r.tensor("unet.timestep"), try r.tensor("unet.encoder_hidden_states"))
    }

    /// One forward on the reference inputs, recording every observed intermediate.
    static func run(_ unet: UNet2DConditionModel, family: String) throws -> (out: Tensor, intermediates: [String: Tensor]) {
        let (sample, timestep, text) = try inputs(family)
        var seen: [String: Tensor] = [:]
        let out = try unet.forward(sample: sample, timestep: timestep, encoderHiddenStates: text) { seen[$0] = $1 }
        return (out, seen)
    }

    /// `u + g·(c − u)` for a [2, …] prediction ordered [uncond, cond].
    static func guided(_ prediction: Tensor, scale: Float) -> Tensor {
        let backend = CPUBackend()
        let halves = prediction.chunked(2, dim: 0)
        let difference = backend.add(halves[1], backend.scale(halves[0], by: -1))
        return backend.add(halves[0], backend.scale(difference, by: scale))
    }
}

/// The largest |a − e| relative to the largest |e| (a scale-aware summary printed by the tests).
func maxRelativeToPeak(_ actual: Tensor, _ expected: Tensor) -> Double {
    let a = actual.floats(), e = expected.floats()
    let peak = e.map { abs(Double($0)) }.max() ?? 0
    let worst = zip(a, e).map { abs(Double($0) - Double($1)) }.max() ?? 0
    return peak > 0 ? worst / peak : worst
}
