import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// The tiny fixture VAEs (Fixtures/tiny-sd{1,2}/vae) and their diffusers reference tensors.
enum VAEFixture {
    static func folder(_ pipeline: String) -> String { FixturePaths.path("\(pipeline)/vae") }
    static func weightsPath(_ pipeline: String) -> String { folder(pipeline) + "/diffusion_pytorch_model.safetensors" }
    static func config(_ pipeline: String) throws -> AutoencoderKLConfig {
        try AutoencoderKLConfig(contentsOfFile: folder(pipeline) + "/config.json")
    }
    static func reference(_ pipeline: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(path: FixturePaths.path("\(pipeline)/reference.safetensors"))
    }
    static func model(_ pipeline: String, dtype: DType = .f32) throws -> AutoencoderKL {
        try AutoencoderKL(directory: folder(pipeline), dtype: dtype, backend: CPUBackend())
    }
    /// Every tensor of a fixture checkpoint, in memory (to build broken checkpoints from).
    static func tensors(_ pipeline: String) throws -> [String: Tensor] {
        let file = try SafeTensorsFile(path: weightsPath(pipeline))
        var out: [String: Tensor] = [:]
        for name in file.names { out[name] = try file.tensor(name) }
        return out
    }
}

/// Records the observed intermediates of one call (tests run on one thread per call).
final class IntermediateRecorder: @unchecked Sendable {
    private(set) var outputs: [(module: String, tensor: Tensor)] = []
    func record(_ module: String, _ tensor: Tensor) { outputs.append((module, tensor)) }
    var modules: [String] { outputs.map(\.module) }
}
