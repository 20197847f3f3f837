import Foundation
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// The tiny fixture `AutoencoderTiny` (Fixtures/tiny-taesd, Scripts/fixtures/taesd.py) and its diffusers
/// reference tensors; the full-size TAESD key list (`taesd-keys.json`).
enum TinyVAEFixture {
    static let folder = FixturePaths.path("tiny-taesd")
    static var weightsPath: String { folder + "/diffusion_pytorch_model.safetensors" }
    static func config() throws -> AutoencoderTinyConfig {
        try AutoencoderTinyConfig(contentsOfFile: folder + "/config.json")
    }
    static func reference() throws -> SafeTensorsFile { try SafeTensorsFile(path: folder + "/reference.safetensors") }
    static func model(dtype: DType = .f32) throws -> AutoencoderTiny {
        try AutoencoderTiny(directory: folder, dtype: dtype, backend: CPUBackend())
    }
    /// Every tensor of the fixture checkpoint, in memory (to build broken checkpoints from).
    static func tensors() throws -> [String: Tensor] {
        let file = try SafeTensorsFile(path: weightsPath)
        var out: [String: Tensor] = [:]
        for name in file.names { out[name] = try file.tensor(name) }
        return out
    }

    /// diffusers' default `AutoencoderTiny` (TAESD / TAESDXL's architecture): its config, as JSON and
    /// decoded, and every key's shape.
    static func fullSize() throws -> (config: AutoencoderTinyConfig, configJSON: Data, keys: [String: [Int]]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/taesd-keys.json"))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let json = try JSONSerialization.data(withJSONObject: object["config"]!)
        let keys = (object["keys"] as! [String: [Int]])
        return (try AutoencoderTinyConfig(jsonData: json, file: "taesd-keys.json"), json, keys)
    }

    /// A store of zeros with the full-size TAESD's keys and shapes.
    static func fullSizeStore(dropping dropped: Set<String> = [], adding added: [String: [Int]] = [:]) throws -> WeightStore {
        var tensors: [String: Tensor] = [:]
        for (key, shape) in try fullSize().keys.merging(added, uniquingKeysWith: { a, _ in a }) where !dropped.contains(key) {
            tensors[key] = Tensor(zeros: shape)
        }
        return WeightStore(tensors: tensors, dtype: .f32, source: "TAESD layout (zeros)")
    }
}
