import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// Loading helpers for the text-encoder tests: the tiny-sd1 / tiny-sd2 fixture encoders
/// (Fixtures/README.md) and their `reference.safetensors` tensors.
enum TextEncoderFixture: String, CaseIterable, Sendable, CustomStringConvertible {
    case sd1 = "tiny-sd1"
    case sd2 = "tiny-sd2"

    var description: String { rawValue }
    var folder: String { FixturePaths.path("\(rawValue)/text_encoder") }
    var weightFile: String { folder + "/model.safetensors" }

    func config() throws -> CLIPTextConfig { try CLIPTextConfig(contentsOfFile: folder + "/config.json") }

    func model(dtype: DType = .f32) throws -> CLIPTextModel {
        try CLIPTextModel(config: config(), weightFiles: [weightFile], dtype: dtype, backend: CPUBackend())
    }

    /// Every tensor of the checkpoint, in its stored dtype, by key.
    func checkpointTensors() throws -> [String: Tensor] {
        let file = try SafeTensorsFile(path: weightFile)
        var tensors: [String: Tensor] = [:]
        for info in file.infos { tensors[info.name] = try file.tensor(info.name) }
        return tensors
    }

    /// `text_encoder.<name>` from the fixture's reference file.
    func reference(_ name: String) throws -> Tensor {
        try SafeTensorsFile(path: FixturePaths.path("\(rawValue)/reference.safetensors")).tensor("text_encoder.\(name)")
    }
}

/// The largest |actual − expected| over the largest |expected|: an error relative to the tensor's scale,
/// which is what "relative error ≲ 1e-4" means for a whole activation tensor (elementwise relative
/// error is meaningless for the entries that happen to be near zero).
func scaleRelativeError(_ actual: Tensor, _ expected: Tensor) -> Double {
    precondition(actual.shape == expected.shape, "shapes \(actual.shape) vs \(expected.shape)")
    let a = actual.floats(), e = expected.floats()
    var maxDiff = 0.0, maxRef = 0.0
    for i in a.indices {
        maxDiff = max(maxDiff, Double(abs(a[i] - e[i])))
        maxRef = max(maxRef, Double(abs(e[i])))
    }
    return maxDiff / maxRef
}
