@testable import DiffuseSources
import Testing
import Foundation
import DiffuseModels
import DiffuseNN
@testable import DiffusePipeline
import DiffuseTestSupport

/// The key mappings on the full-size SD 1.5 / 2.1 architectures (4 resolution levels, 12 / 23 text
/// layers), which the tiny fixtures (2 levels) cannot show: every diffusers key of each component maps
/// to the original key and transform in Fixtures/single-file/full-size-keys.json, which the fixture
/// script checked against diffusers' own `convert_ldm_*` converters. Exact string equality.
@Suite struct FullSizeKeyMappingTests {
    typealias Table = [String: [String: [String: [String]]]]

    static func transform(_ text: String) -> WeightTransform {
        switch text {
        case "identity": return .identity
        case "squeeze": return .squeezeTrailing
        default:  // "chunk i/3"
            let parts = text.dropFirst("chunk ".count).split(separator: "/").compactMap { Int($0) }
            return .chunk(index: parts[0], parts: parts[1])
        }
    }

    @Test(arguments: [("sd15", SingleFileCheckpoint.TextEncoderLayout.clip), ("sd21", .openCLIP)])
    func everyKeyMapsAsDiffusersDoes(_ model: String, _ layout: SingleFileCheckpoint.TextEncoderLayout) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("single-file/full-size-keys.json")))
        let table = try #require(try JSONDecoder().decode(Table.self, from: data)[model])
        let configs = FixturePaths.path("configs/" + model)
        let mappings: [String: any WeightKeyMapping] = [
            "unet": OriginalUNetMapping(config: try UNet2DConditionConfig(contentsOfFile: configs + "/unet.json")),
            "vae": OriginalVAEMapping(config: try AutoencoderKLConfig(contentsOfFile: configs + "/vae.json")),
            "text_encoder": OriginalTextEncoderMapping(layout: layout),
        ]
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
        #expect(checked > 1100)
    }
}
