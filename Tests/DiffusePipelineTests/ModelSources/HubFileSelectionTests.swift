@testable import DiffuseSources
import Foundation
import Testing
@testable import DiffusePipeline

/// Which repository files a download takes: what `ModelFolder` reads, for the variant asked.
@Suite("Hub file selection")
struct HubFileSelectionTests {
    static let common = ["model_index.json", "text_encoder/config.json", "unet/config.json", "vae/config.json",
                         "scheduler/scheduler_config.json", "tokenizer/tokenizer_config.json",
                         "tokenizer/vocab.json", "tokenizer/merges.txt"]

    @Test func shardedAndVariantWeights() throws {
        let siblings = Self.common + [
            "text_encoder/model.safetensors", "text_encoder/model.fp16.safetensors", "text_encoder/pytorch_model.bin",
            "unet/diffusion_pytorch_model.safetensors.index.json",
            "unet/diffusion_pytorch_model-00001-of-00002.safetensors", "unet/diffusion_pytorch_model-00002-of-00002.safetensors",
            "unet/diffusion_pytorch_model.safetensors.index.fp16.json",
            "vae/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.fp16.safetensors",
            "safety_checker/model.safetensors", "feature_extractor/preprocessor_config.json", "v1-5-pruned.ckpt",
        ]
        let plain = try HubFileSelection.select(siblings: siblings, variant: nil, model: "o/n", revision: "main")
        #expect(plain.files == Self.common + ["text_encoder/model.safetensors", "unet/diffusion_pytorch_model.safetensors.index.json",
                                              "vae/diffusion_pytorch_model.safetensors"])
        #expect(plain.shardIndexes == ["unet/diffusion_pytorch_model.safetensors.index.json"])
        let fp16 = try HubFileSelection.select(siblings: siblings, variant: "fp16", model: "o/n", revision: "main")
        #expect(fp16.files.suffix(3) == ["text_encoder/model.fp16.safetensors", "unet/diffusion_pytorch_model.safetensors.index.fp16.json",
                                         "vae/diffusion_pytorch_model.fp16.safetensors"])
    }

    /// SDXL base: both text encoder pairs; the refiner: only the second (no text_encoder/ in the repository).
    @Test func sdxlBaseAndRefinerTakeTheirTextEncoders() throws {
        let second = ["text_encoder_2/config.json", "tokenizer_2/tokenizer_config.json", "tokenizer_2/vocab.json",
                      "tokenizer_2/merges.txt", "tokenizer_2/special_tokens_map.json",
                      "text_encoder_2/model.fp16.safetensors", "text_encoder_2/model.safetensors"]
        let weights = ["text_encoder/model.fp16.safetensors", "unet/diffusion_pytorch_model.fp16.safetensors",
                       "vae/diffusion_pytorch_model.fp16.safetensors"]
        let base = try HubFileSelection.select(siblings: Self.common + second + weights, variant: "fp16", model: "o/n", revision: "main")
        #expect(base.files == ["model_index.json", "text_encoder/config.json", "text_encoder_2/config.json", "unet/config.json",
                               "vae/config.json", "scheduler/scheduler_config.json", "tokenizer/tokenizer_config.json",
                               "tokenizer_2/tokenizer_config.json", "tokenizer/vocab.json", "tokenizer/merges.txt",
                               "tokenizer_2/vocab.json", "tokenizer_2/merges.txt", "tokenizer_2/special_tokens_map.json"]
                + weights + ["text_encoder_2/model.fp16.safetensors"])
        let refinerSiblings = (Self.common + second + weights).filter { !$0.hasPrefix("text_encoder/") && !$0.hasPrefix("tokenizer/") }
        let refiner = try HubFileSelection.select(siblings: refinerSiblings, variant: "fp16", model: "o/n", revision: "main")
        #expect(!refiner.files.contains { $0.hasPrefix("text_encoder/") || $0.hasPrefix("tokenizer/") })
        #expect(refiner.files.contains("text_encoder_2/model.fp16.safetensors") && refiner.files.contains("tokenizer_2/merges.txt"))
        let noWeights2 = Self.common + second.dropLast(2) + weights
        let error = #expect(throws: ModelSourceError.self) {
            try HubFileSelection.select(siblings: noWeights2, variant: "fp16", model: "o/n", revision: "main")
        }
        #expect(error.map { "\($0)" }?.contains("has no text_encoder_2 weights") == true)
    }

    @Test func shardsOfAnIndex() throws {
        let folder = FileManager.default.temporaryDirectory.path + "/diffuse-shards-" + String(UInt64.random(in: 0..<UInt64.max), radix: 16)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let index = "unet/diffusion_pytorch_model.safetensors.index.json"
        let siblings = [index, "unet/a-00001-of-00002.safetensors", "unet/a-00002-of-00002.safetensors"]
        func shards(_ weightMap: String) throws -> [String] {
            try Data("{\"metadata\": {}, \"weight_map\": \(weightMap)}".utf8).write(to: URL(fileURLWithPath: folder + "/index.json"))
            return try HubFileSelection.shards(ofIndex: index, localPath: folder + "/index.json", siblings: siblings, model: "o/n")
        }
        #expect(try shards("{\"x\": \"a-00002-of-00002.safetensors\", \"y\": \"a-00001-of-00002.safetensors\", \"z\": \"a-00001-of-00002.safetensors\"}")
                == ["unet/a-00001-of-00002.safetensors", "unet/a-00002-of-00002.safetensors"])
        for bad in ["{\"x\": \"../../blobs/evil.safetensors\"}", "{\"x\": \"missing.safetensors\"}", "{\"x\": \"a.bin\"}"] {
            let error = #expect(throws: ModelSourceError.self) { try shards(bad) }
            #expect(error?.kind == .incompleteRepo, "\(bad)")
        }
        let garbage = #expect(throws: ModelSourceError.self) { try shards("[1, 2]") }
        #expect(garbage?.kind == .badResponse)
    }

    @Test func missingPiecesAreNamedBeforeAnyDownload() {
        func error(_ siblings: [String], _ variant: String? = nil) -> String {
            do { _ = try HubFileSelection.select(siblings: siblings, variant: variant, model: "o/n", revision: "main"); return "" }
            catch { return "\(error)" }
        }
        #expect(error(["v1-5-pruned-emaonly.safetensors"]).contains("has no model_index.json: not a diffusers pipeline repository"))
        #expect(error(Self.common.filter { $0 != "unet/config.json" }).contains("has no unet/config.json"))
        let fp16Only = Self.common + ["text_encoder/model.fp16.safetensors", "unet/diffusion_pytorch_model.fp16.safetensors",
                                      "vae/diffusion_pytorch_model.fp16.safetensors"]
        #expect(error(fp16Only).contains("has no text_encoder weights (model.safetensors): only text_encoder/model.fp16.safetensors; try --variant fp16"))
        #expect(error(fp16Only, "fp16") == "")
        #expect(error(Self.common + ["text_encoder/pytorch_model.bin"]).contains("only text_encoder/pytorch_model.bin"))
    }
}
