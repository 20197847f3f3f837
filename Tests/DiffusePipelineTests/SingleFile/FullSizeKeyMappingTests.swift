@testable import DiffuseSources
import Testing
import Foundation
import DiffuseModels
import DiffuseNN
@testable import DiffusePipeline
import DiffuseTestSupport

/// The key mappings on the full-size SD 1.5 / 2.1 / SDXL base / SDXL refiner architectures (4 or 3
/// resolution levels, SDXL's 2- and 10-deep transformers, 12 / 23 / 32 text layers), which the tiny
/// fixtures (2 levels) cannot show: every diffusers key of each component maps to the original key and
/// transform in Fixtures/single-file/full-size-keys.json, which the fixture script checked against
/// diffusers' own `convert_ldm_*` / `convert_open_clip_checkpoint` converters (and its
/// `infer_diffusers_model_type` against the family). Exact string equality.
@Suite struct FullSizeKeyMappingTests {
    typealias Table = [String: [String: [String: [String]]]]

    static func transform(_ text: String) -> WeightTransform {
        switch text {
        case "identity": return .identity
        case "squeeze": return .squeezeTrailing
        case "transpose": return .transpose
        default:  // "chunk i/3"
            let parts = text.dropFirst("chunk ".count).split(separator: "/").compactMap { Int($0) }
            return .chunk(index: parts[0], parts: parts[1])
        }
    }

    /// Fixtures/configs/<model>/<name>.json; sdxl-refiner/ holds only what differs from sdxl/.
    static func config(_ model: String, _ name: String) -> String {
        let path = FixturePaths.path("configs/\(model)/\(name).json")
        return FileManager.default.fileExists(atPath: path) ? path : FixturePaths.path("configs/sdxl/\(name).json")
    }

    @Test(arguments: [("sd15", SingleFileCheckpoint.Family.sd1, 1130), ("sd21", .sd2, 1306), ("sdxl", .sdxl, 2641),
                      ("sdxl-refiner", .sdxlRefiner, 1985)])
    func everyKeyMapsAsDiffusersDoes(_ model: String, _ family: SingleFileCheckpoint.Family, _ keys: Int) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("single-file/full-size-keys.json")))
        let table = try #require(try JSONDecoder().decode(Table.self, from: data)[model])
        var mappings: [String: any WeightKeyMapping] = [
            "unet": OriginalUNetMapping(config: try UNet2DConditionConfig(contentsOfFile: Self.config(model, "unet"))),
            "vae": OriginalVAEMapping(config: try AutoencoderKLConfig(contentsOfFile: Self.config(model, "vae"))),
        ]
        for component in family.components {
            if let text = family.textEncoderMapping(component) { mappings[component.rawValue] = text }
        }
        #expect(Set(table.keys) == Set(mappings.keys))
        var checked = 0, wrong: [String] = []
        for (component, entries) in table {
            let mapping = try #require(mappings[component])
            for (key, expected) in entries {
                let want = StoredTensorRef(expected[0], Self.transform(expected[1]))
                if mapping.storedTensor(for: key) != want {
                    wrong.append("\(key): \(mapping.storedTensor(for: key).map(\.description) ?? "nil") ≠ \(want)")
                }
                #expect(mapping.owns(storedKey: expected[0]))
                checked += 1
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) wrong, e.g. \(wrong.prefix(5))")
        #expect(checked == keys)
    }

    /// The original keys of the full-size tables are recognised as their family (the prefixes alone).
    @Test(arguments: [("sd15", SingleFileCheckpoint.Family.sd1), ("sd21", .sd2), ("sdxl", .sdxl), ("sdxl-refiner", .sdxlRefiner)])
    func familyIsDetectedFromTheKeys(_ model: String, _ family: SingleFileCheckpoint.Family) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("single-file/full-size-keys.json")))
        let table = try #require(try JSONDecoder().decode(Table.self, from: data)[model])
        let names = table.values.flatMap { $0.values.map { $0[0] } }
        #expect(try SingleFileCheckpoint.Family.detect(names, path: model) == family)
    }
}
