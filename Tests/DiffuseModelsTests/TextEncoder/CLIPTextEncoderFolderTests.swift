import Testing
import Foundation
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// Loading from a `text_encoder/` folder, the summary, and the tokenizer → text encoder path of
/// diffusers' `encode_prompt`.
@Suite struct CLIPTextEncoderFolderTests {
    @Test(arguments: TextEncoderFixture.allCases)
    func loadsFromFolderAndCountsParameters(_ fixture: TextEncoderFixture) throws {
        let model = try CLIPTextModel(directory: fixture.folder, backend: CPUBackend())
        let stored = try fixture.checkpointTensors().filter { !$0.key.hasSuffix("position_ids") }
        #expect(model.parameterCount == stored.values.reduce(0) { $0 + $1.count })
        print(model.summary)
        #expect(model.summary.contains("2 layers, hidden 32, 4 heads × 8, MLP 64"))
        #expect(model.summary.contains(fixture == .sd1 ? "quick_gelu" : "gelu"))
    }

    @Test func missingFolderAndFilesNameThePath() throws {
        let missing = FixturePaths.path("tiny-sd1/no_such_text_encoder")
        let folderError = #expect(throws: (any Error).self) { try CLIPTextModel(directory: missing, backend: CPUBackend()) }
        #expect(String(describing: try #require(folderError)).contains(missing))
        let noVariant = #expect(throws: CLIPTextModelError.self) {
            try CLIPTextModel.weightFiles(in: TextEncoderFixture.sd1.folder, variant: "fp16")
        }
        #expect(try #require(noVariant).description.contains("model.fp16.safetensors"))
        #expect(throws: CLIPTextModelError.self) {
            try CLIPTextModel(config: TextEncoderFixture.sd1.config(), weightFiles: [], backend: CPUBackend())
        }
    }

    /// `CLIPTokenizer` on the reference prompts gives the reference ids, and `encodePrompt` on them the
    /// reference `last_hidden_state` (the pipeline's path, end to end; same tolerance as the fixture tests).
    @Test(arguments: TextEncoderFixture.allCases)
    func tokenizerToPromptEmbeddings(_ fixture: TextEncoderFixture) throws {
        let tokenizer = try CLIPTokenizer(folder: FixturePaths.path("\(fixture.rawValue)/tokenizer"))
        let prompts = ["", "a photo of a cat"].map { tokenizer($0) }
        let ids = try CLIPTextModel.inputIds(prompts)
        #expect(ids.floats() == (try fixture.reference("input_ids")).floats())
        let embeddings = try fixture.model().encodePrompt(prompts)
        let error = scaleRelativeError(embeddings, try fixture.reference("last_hidden_state"))
        #expect(error <= 1e-4, "\(error)")
    }

    /// A folder with a config that is not JSON, then with a weight file that is not safetensors: each
    /// is a thrown error naming the file, never a crash.
    @Test func brokenFilesNameThePath() throws {
        let folder = FileManager.default.temporaryDirectory.path + "/diffuse-text-encoder-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("not json".utf8).write(to: URL(fileURLWithPath: folder + "/config.json"))
        try FileManager.default.copyItem(atPath: TextEncoderFixture.sd1.weightFile, toPath: folder + "/model.safetensors")
        let notJSON = #expect(throws: ConfigError.self) { try CLIPTextModel(directory: folder, backend: CPUBackend()) }
        #expect(try #require(notJSON).description.contains(folder + "/config.json"))

        try FileManager.default.removeItem(atPath: folder + "/config.json")
        try FileManager.default.copyItem(atPath: TextEncoderFixture.sd1.folder + "/config.json", toPath: folder + "/config.json")
        try FileManager.default.removeItem(atPath: folder + "/model.safetensors")
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: folder + "/model.safetensors"))
        let notSafetensors = #expect(throws: SafeTensorsError.self) { try CLIPTextModel(directory: folder, backend: CPUBackend()) }
        #expect(String(describing: try #require(notSafetensors)).contains(folder + "/model.safetensors"))
    }
}
