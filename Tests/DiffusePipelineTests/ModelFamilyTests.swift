import Foundation
import Testing
import DiffuseSources
import DiffusePipeline
import DiffuseTestSupport

/// Which prompt stage a folder gets (`ModelFamily`), and the clear refusals of components that do not fit
/// together — before any weight is read.
@Suite struct ModelFamilyTests {
    @Test func familiesOfTheFixtures() throws {
        #expect(try ModelFamily(folder: ModelFolder(path: FixturePaths.path("tiny-sd1"))) == .stableDiffusion)
        #expect(try ModelFamily(folder: ModelFolder(path: FixturePaths.path("tiny-sdxl")))
                == .stableDiffusionXL(SDXLTimeIds(requiresAestheticsScore: false)))
        let refiner = try ModelFolder(path: FixturePaths.path("tiny-sdxl-refiner"))
        #expect(refiner.textEncoder == nil && refiner.tokenizer == nil && refiner.textEncoders.count == 1)
        #expect(try ModelFamily(folder: refiner) == .stableDiffusionXL(SDXLTimeIds(requiresAestheticsScore: true)))
    }

    /// A copy of a fixture folder (configs only, weights linked) with `model_index.json` edited.
    static func copy(_ name: String, editIndex: (inout [String: Any]) -> Void) throws -> String {
        let tmp = FileManager.default.temporaryDirectory.path + "/diffuse-family-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let source = FixturePaths.path(name)
        for item in try FileManager.default.contentsOfDirectory(atPath: source) where item != "model_index.json" {
            try FileManager.default.createSymbolicLink(atPath: tmp + "/" + item, withDestinationPath: source + "/" + item)
        }
        var index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: source + "/model_index.json"))) as! [String: Any]
        editIndex(&index)
        try JSONSerialization.data(withJSONObject: index).write(to: URL(fileURLWithPath: tmp + "/model_index.json"))
        return tmp
    }

    @Test func aestheticsFlagThatContradictsTheUNetIsRefused() throws {
        let path = try Self.copy("tiny-sdxl-refiner") { $0["requires_aesthetics_score"] = false }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: PipelineError.self) { try ModelFamily(folder: ModelFolder(path: path)) }
        #expect(error.description.contains("requires_aesthetics_score") && error.description.contains("5 time ids"), "\(error)")
    }

    @Test func sdxlUNetWithoutSecondEncoderIsRefused() throws {
        let path = try Self.copy("tiny-sdxl") { $0["text_encoder_2"] = [NSNull(), NSNull()]; $0["tokenizer_2"] = [NSNull(), NSNull()] }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let folder = try ModelFolder(path: path)
        #expect(folder.unsupportedFeatures().contains { $0.description.contains("text_encoder_2") })
        let error = try #require(throws: PipelineError.self) { try ModelFamily(folder: folder) }
        #expect(error.description.contains("text_encoder_2"), "\(error)")
    }

    @Test func refinerFolderWithoutAnyTextEncoderIsRefused() throws {
        let path = try Self.copy("tiny-sdxl-refiner") { $0["text_encoder_2"] = [NSNull(), NSNull()] }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: ModelFolderError.self) { try ModelFolder(path: path) }
        #expect(error.description.contains("text_encoder"), "\(error)")
    }
}
