#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseCore
import DiffusePipeline
import DiffuseSources
import DiffuseTestSupport

/// Fixtures/lora (Scripts/fixtures/lora.py): LoRA files for the tiny pipelines and diffusers' results with them.
enum LoRAFixture {
    static func path(_ file: String) -> String { FixturePaths.path("lora/\(file).safetensors") }

    static func adapter(_ file: String, scale: Float) throws -> LoRAAdapter {
        try LoRAAdapter(path: path(file), scale: scale)
    }

    /// A fresh pipeline (setLoRAs changes it; the shared `PipelineFixture` ones stay untouched).
    static func pipeline(_ model: String, compile: Bool = false) throws -> StableDiffusionPipeline {
        try StableDiffusionPipeline(path: FixturePaths.path(model), compile: compile)
    }

    static func cases() throws -> (cases: [LoRACase], tensors: SafeTensorsFile) {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("lora/cases.json")))
        return (try JSONDecoder().decode([LoRACase].self, from: data),
                try SafeTensorsFile(path: FixturePaths.path("lora/cases.safetensors")))
    }

    static func json<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("lora/\(name)"))))
    }
}

/// One entry of Fixtures/lora/cases.json: a pipeline case with its model and adapters.
struct LoRACase: Decodable, Sendable, CustomStringConvertible {
    struct Entry: Decodable, Sendable {
        let file: String
        let scale: Float
    }
    let model: String
    let loras: [Entry]
    let pipelineCase: PipelineCase

    enum Keys: String, CodingKey { case model, loras }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        model = try c.decode(String.self, forKey: .model)
        loras = try c.decode([Entry].self, forKey: .loras)
        pipelineCase = try PipelineCase(from: decoder)
    }

    var description: String { pipelineCase.case }

    func adapters() throws -> [LoRAAdapter] { try loras.map { try LoRAFixture.adapter($0.file, scale: $0.scale) } }
}
