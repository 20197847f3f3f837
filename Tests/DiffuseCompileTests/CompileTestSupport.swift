import DiffuseCore
import DiffuseCPU
import DiffuseCompile
import DiffuseModels
import DiffuseTestSupport

/// Shared inputs of the compile tests.
enum CompileTest {
    /// A seeded random f32 tensor.
    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var random = TestRandom(seed: seed)
        return Tensor(random.floats(shape.reduce(1, *), scale: scale), shape: shape)
    }

    /// The tiny fixture UNet (`Fixtures/tiny-{sd1,sd2,sdxl}/unet`) on a tracing CPU backend.
    static func tinyUNet(_ family: String) throws -> UNet2DConditionModel {
        try UNet2DConditionModel(directory: FixturePaths.path("tiny-\(family)/unet"),
                                 backend: TracingBackend(wrapping: CPUBackend()))
    }

    /// Its diffusers reference inputs: sample [2, 4, 16, 16], timestep 981 (i64 scalar), text [2, 77, 32].
    static func referenceInputs(_ family: String) throws -> (sample: Tensor, timestep: Tensor, text: Tensor) {
        let r = try SafeTensorsFile(path: FixturePaths.path("tiny-\(family)/reference.safetensors"))
        return (try r.tensor("unet.sample"), try r.tensor("unet.timestep"), try r.tensor("unet.encoder_hidden_states"))
    }

    /// max |a − e| / max |e|.
    static func relativeDifference(_ actual: Tensor, _ expected: Tensor) -> Double {
        let a = actual.floats(), e = expected.floats()
        let peak = e.map { abs(Double($0)) }.max() ?? 0
        let worst = zip(a, e).map { abs(Double($0) - Double($1)) }.max() ?? 0
        return peak > 0 ? worst / peak : worst
    }
}
