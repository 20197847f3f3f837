@testable import DiffuseSources
import Foundation
import Testing
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// Real-size ControlNets without weights: Fixtures/controlnet-single-file/full-size-keys.json lists, for SD 1.5,
/// SD 2.1 and SDXL ControlNets built by diffusers (`ControlNetModel.from_unet` of Fixtures/configs/<model>), every
/// diffusers key with its original-layout key and shape, checked there against diffusers' own
/// `convert_controlnet_checkpoint`. From the shapes alone each is recognised as its standard model, with the
/// architecture diffusers built; and the mapping of the recognised config sends every diffusers key to its
/// original key, using every stored key (nothing missing, nothing unused).
@Suite struct ControlNetSourceFullSizeTests {
    struct Entry: Decodable {
        let config: [String: JSONValue]
        let keys: [String: [JSONValue]]
    }

    /// Enough of JSON for the table: the config's values are passed back to `ControlNetConfig` as JSON.
    enum JSONValue: Decodable, Encodable {
        case number(Double), string(String), bool(Bool), array([JSONValue]), null
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else { self = .array(try c.decode([JSONValue].self)) }
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .number(let n): n == n.rounded() ? try c.encode(Int(n)) : try c.encode(n)
            case .string(let s): try c.encode(s)
            case .bool(let b): try c.encode(b)
            case .array(let a): try c.encode(a)
            case .null: try c.encodeNil()
            }
        }
        var string: String? { if case .string(let s) = self { s } else { nil } }
        var ints: [Int]? { if case .array(let a) = self { a.compactMap { if case .number(let n) = $0 { Int(n) } else { nil } } } else { nil } }
    }

    static let table: [String: Entry] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("controlnet-single-file/full-size-keys.json")))
        return try! JSONDecoder().decode([String: Entry].self, from: data)
    }()

    /// diffusers key → (original key under `control_model.`, shape).
    static func keys(_ model: String) throws -> [String: (original: String, shape: [Int])] {
        let entry = try #require(table[model])
        return try entry.keys.mapValues { pair in
            (try #require(pair.first?.string), try #require(pair.last?.ints))
        }
    }

    /// diffusers' config of the model, as `ControlNetConfig`.
    static func diffusersConfig(_ model: String) throws -> ControlNetConfig {
        let entry = try #require(table[model])
        return try ControlNetConfig(jsonData: JSONEncoder().encode(entry.config), file: "\(model) (full-size-keys.json)")
    }

    /// The layout-relevant parts of two configs agree (the recognised config also carries the base UNet's
    /// unrelated keys, such as sample_size).
    static func expectSameArchitecture(_ a: ControlNetConfig, _ b: ControlNetConfig, _ model: String) {
        let (u, v) = (a.unet, b.unet)
        #expect(u.blockOutChannels == v.blockOutChannels && u.downBlockTypes == v.downBlockTypes, "\(model)")
        #expect(u.layersPerBlockList == v.layersPerBlockList && u.inChannels == v.inChannels, "\(model)")
        #expect(u.useLinearProjection == v.useLinearProjection && u.upcastAttention == v.upcastAttention, "\(model)")
        #expect((0..<u.blockCount).map(u.downBlockAttention) == (0..<v.blockCount).map(v.downBlockAttention), "\(model)")
        #expect(u.midBlockAttention == v.midBlockAttention, "\(model)")
        #expect(u.additionEmbedType == v.additionEmbedType && u.additionTimeEmbedDim == v.additionTimeEmbedDim, "\(model)")
        #expect(u.projectionClassEmbeddingsInputDim == v.projectionClassEmbeddingsInputDim, "\(model)")
        #expect(u.timeEmbedDim == v.timeEmbedDim && u.midBlockType == v.midBlockType, "\(model)")
        #expect(a.conditioningChannels == b.conditioningChannels, "\(model)")
        #expect(a.conditioningEmbeddingOutChannels == b.conditioningEmbeddingOutChannels, "\(model)")
        #expect(a.channelOrder == b.channelOrder && a.globalPoolConditions == b.globalPoolConditions, "\(model)")
    }

    /// The shapes of the file, stored under `prefix` in the original layout (or by diffusers key).
    static func shapes(_ model: String, layout: ControlNetFileLayout) throws -> ControlNetShapes {
        let keys = try keys(model)
        var shapes: [String: [Int]] = [:]
        for (key, stored) in keys {
            let name = layout == .diffusers ? key : layout.prefix + stored.original.dropFirst("control_model.".count)
            shapes[name] = stored.shape
        }
        return ControlNetShapes(layout: layout, shapes: shapes, path: model)
    }

    @Test(arguments: [("sd15", StandardControlNet.sd15, 340), ("sd21", .sd21, 340), ("sdxl", .sdxl, 844)])
    func everyKeyMapsAsDiffusersDoes(_ model: String, _ standard: StandardControlNet, _ count: Int) throws {
        let keys = try Self.keys(model)
        #expect(keys.count == count)
        for layout in [ControlNetFileLayout.original(prefix: "control_model."), .original(prefix: "")] {
            let shapes = try Self.shapes(model, layout: layout)
            let recognised = try shapes.recognise()
            #expect(recognised.model == standard)
            Self.expectSameArchitecture(recognised.config, try Self.diffusersConfig(model), model)
            let mapping = try #require(ControlNetSingleFile.mapping(layout: layout, config: recognised.config, names: Set(shapes.shapes.keys)))
            var wrong: [String] = [], used = Set<String>()
            for (key, stored) in keys {
                let expected = layout.prefix + stored.original.dropFirst("control_model.".count)
                let ref = mapping.storedTensor(for: key)
                if ref != StoredTensorRef(expected) { wrong.append("\(key): \(ref.map(\.description) ?? "nil") ≠ \(expected)") }
                if let ref { used.insert(ref.key) }
            }
            #expect(wrong.isEmpty, "\(model) \(layout): \(wrong.count) wrong, e.g. \(wrong.prefix(5))")
            #expect(used == Set(shapes.shapes.keys), "\(model) \(layout): unused \(Set(shapes.shapes.keys).subtracting(used).sorted().prefix(5))")
            #expect(shapes.shapes.keys.allSatisfy(mapping.owns(storedKey:)))
        }
    }

    /// A single file in diffusers' layout (diffusers/controlnet-canny-sdxl-1.0's, xinsir's) is recognised too.
    @Test(arguments: [("sd15", StandardControlNet.sd15), ("sd21", .sd21), ("sdxl", .sdxl)])
    func diffusersLayoutIsRecognised(_ model: String, _ standard: StandardControlNet) throws {
        let recognised = try Self.shapes(model, layout: .diffusers).recognise()
        #expect(recognised.model == standard)
        Self.expectSameArchitecture(recognised.config, try Self.diffusersConfig(model), model)
    }

    /// The standard configs are ControlNet configs Diffuse accepts, with SD's conditioning widths and diffusers' architecture.
    @Test func standardConfigsAreSupported() throws {
        for model in StandardControlNet.allCases {
            let config = model.config()
            #expect(config.conditioningEmbeddingOutChannels == [16, 32, 96, 256] && config.conditioningChannels == 3)
            #expect(config.className == "ControlNetModel")
            #expect(throws: Never.self) { try config.validateSupported() }
            Self.expectSameArchitecture(config, try Self.diffusersConfig(model.rawValue), model.rawValue)
        }
    }

    /// Shapes that differ from the standard model are not guessed at: the error says what differs and to pass a config.
    @Test(arguments: [
        // SDXL with shallower transformers (as diffusers/controlnet-canny-sdxl-1.0-mid / -small)
        ("sdxl", "shallow", "level 2 has 9 transformer blocks per attention (expected 10)"),
        // SD 1.x whose context is neither 768 nor 1024
        ("sd15", "context", "[320, 512]"),
        // an SD 2.x ControlNet with conv projections
        ("sd21", "conv-proj", "proj_in is a 1×1 conv"),
    ])
    func nonStandardShapesNeedAConfig(_ model: String, _ change: String, _ expected: String) throws {
        let base = try Self.shapes(model, layout: .original(prefix: "control_model."))
        var shapes = base.shapes
        switch change {
        case "context":
            for (name, shape) in shapes where name.contains("attn2.to_k.weight") || name.contains("attn2.to_v.weight") { shapes[name] = [shape[0], 512] }
        case "conv-proj":
            for (name, shape) in shapes where name.hasSuffix("proj_in.weight") || name.hasSuffix("proj_out.weight") { shapes[name] = shape + [1, 1] }
        default:  // "shallow": the deepest transformer block of level 2's attentions removed
            for name in shapes.keys where name.contains("input_blocks.7.1.transformer_blocks.9.") || name.contains("input_blocks.8.1.transformer_blocks.9.") {
                shapes[name] = nil
            }
        }
        let changed = ControlNetShapes(layout: base.layout, shapes: shapes, path: model)
        let error = try #require(throws: SingleFileError.self) { _ = try changed.recognise() }
        #expect(error.kind == .unrecognised)
        #expect(error.description.contains(expected), "\(error)")
        #expect(error.description.contains("pass the ControlNet's config"), "\(error)")
    }
}
