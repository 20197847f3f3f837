#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseModels
import DiffuseSources
import DiffuseTestSupport

/// A throw-away diffusers folder built from the SD fixtures, with empty weight files.
struct TempModelFolder: ~Copyable {
    let path: String

    init(family: String = "sd15", weights: Bool = true) throws {
        path = FileManager.default.temporaryDirectory.path + "/diffuse-modelfolder-" + UUID().uuidString
        let configs = FixturePaths.path("configs/" + family)
        try copy(configs + "/model_index.json", to: "model_index.json")
        try copy(configs + "/unet.json", to: "unet/config.json")
        try copy(configs + "/vae.json", to: "vae/config.json")
        try copy(configs + "/text_encoder.json", to: "text_encoder/config.json")
        try copy(configs + "/tokenizer_config.json", to: "tokenizer/tokenizer_config.json")
        try copy(configs + "/scheduler.json", to: "scheduler/scheduler_config.json")
        try write("{}", to: "tokenizer/vocab.json")
        try write("#version: 0.2\n", to: "tokenizer/merges.txt")
        if weights {
            try write("", to: "unet/diffusion_pytorch_model.safetensors")
            try write("", to: "vae/diffusion_pytorch_model.safetensors")
            try write("", to: "text_encoder/model.safetensors")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ text: String, to relative: String) throws {
        let full = path + "/" + relative
        let folder = String(full[..<full.lastIndex(of: "/")!])
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
    }

    func copy(_ source: String, to relative: String) throws {
        try write(String(decoding: try Data(contentsOf: URL(fileURLWithPath: source)), as: UTF8.self), to: relative)
    }

    func remove(_ relative: String) throws { try FileManager.default.removeItem(atPath: path + "/" + relative) }
}

/// The `ModelFolderError` thrown by `body`, if any.
func folderError(_ body: () throws -> Void) -> ModelFolderError? {
    do { try body() } catch let error as ModelFolderError { return error } catch { return nil }
    return nil
}

@Suite("Model folder")
struct ModelFolderTests {
    @Test func sd15FolderLoads() throws {
        let tmp = try TempModelFolder()
        let folder = try ModelFolder(path: tmp.path)
        #expect(folder.modelIndex.className == "StableDiffusionPipeline")
        #expect(folder.modelIndex["unet"] == ModelComponent(library: "diffusers", className: "UNet2DConditionModel"))
        #expect(folder.modelIndex["safety_checker"]?.className == "StableDiffusionSafetyChecker")
        #expect(folder.unet.crossAttentionDims.first == 768)
        #expect(folder.vae.scaleFactor == 8)
        #expect(folder.textEncoder?.hiddenAct == "quick_gelu")
        #expect(folder.tokenizer?.padToken == "<|endoftext|>")
        #expect(folder.scheduler.className == "PNDMScheduler")
        #expect(folder.unetWeights.files == [tmp.path + "/unet/diffusion_pytorch_model.safetensors"])
        #expect(!folder.unetWeights.isSharded)
        #expect(folder.vaeWeights.files == [tmp.path + "/vae/diffusion_pytorch_model.safetensors"])
        #expect(folder.textEncoderWeights?.files == [tmp.path + "/text_encoder/model.safetensors"])
        #expect(folder.tokenizerFiles?.hasVocabAndMerges == true)
        #expect(folder.unet.sourceFile == tmp.path + "/unet/config.json")
        try folder.validateSupported()
    }

    @Test func sd21FolderLoadsWithNullSafetyChecker() throws {
        let tmp = try TempModelFolder(family: "sd21")
        try tmp.remove("tokenizer/vocab.json")
        try tmp.remove("tokenizer/merges.txt")
        try tmp.write("{}", to: "tokenizer/tokenizer.json")       // transformers 5 layout
        let folder = try ModelFolder(path: tmp.path + "/")
        #expect(folder.path == tmp.path)
        #expect(folder.modelIndex.absentComponents == ["safety_checker"])
        #expect(folder.modelIndex.options == ["requires_safety_checker": false])
        #expect(folder.scheduler.predictionType == "v_prediction")
        #expect(folder.tokenizer?.padToken == "!")
        #expect(folder.tokenizerFiles?.tokenizerJSON == tmp.path + "/tokenizer/tokenizer.json")
        try folder.validateSupported()
    }

    @Test func missingComponentFolder() throws {
        let tmp = try TempModelFolder()
        try tmp.remove("vae")
        let error = folderError { _ = try ModelFolder(path: tmp.path) }
        #expect(error?.kind == .missingComponent)
        #expect(error?.path == tmp.path + "/vae")
        #expect(error?.description.contains("download the complete model folder") == true)
    }

    @Test func componentListedAsNullOrMissingFromIndex() throws {
        let tmp = try TempModelFolder()
        try tmp.write(#"{"_class_name": "StableDiffusionPipeline", "unet": [null, null], "vae": ["diffusers", "AutoencoderKL"]}"#,
                      to: "model_index.json")
        let error = folderError { _ = try ModelFolder(path: tmp.path) }
        #expect(error?.kind == .missingComponent)
        #expect(error?.path == tmp.path + "/model_index.json")
        #expect(error?.description.contains("\"text_encoder\" is not listed") == true)
        try tmp.write(#"{"_class_name": "X", "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"], "unet": null}"#,
                      to: "model_index.json")
        #expect(folderError { _ = try ModelFolder(path: tmp.path) }?.description.contains("\"unet\" is listed as null") == true)
    }

    @Test func missingFolderIndexAndConfig() throws {
        #expect(folderError { _ = try ModelFolder(path: "/nonexistent/sd15") }?.kind == .missingFolder)
        let tmp = try TempModelFolder()
        try tmp.remove("scheduler/scheduler_config.json")
        let noConfig = folderError { _ = try ModelFolder(path: tmp.path) }
        #expect(noConfig?.kind == .missingConfig)
        #expect(noConfig?.path == tmp.path + "/scheduler/scheduler_config.json")
        try tmp.remove("model_index.json")
        let noIndex = folderError { _ = try ModelFolder(path: tmp.path) }
        #expect(noIndex?.kind == .missingModelIndex)
        #expect(noIndex?.description.contains("model_index.json") == true)
        // Pointing at a component folder gets a hint.
        #expect(folderError { _ = try ModelFolder(path: tmp.path + "/unet") }?.description.contains("give its parent") == true)
    }

    @Test func missingRequiredKeyInModelIndex() throws {
        let tmp = try TempModelFolder()
        try tmp.write(#"{"_diffusers_version": "0.6.0", "unet": ["diffusers", "UNet2DConditionModel"]}"#, to: "model_index.json")
        let error = configError { _ = try ModelFolder(path: tmp.path) }
        #expect(error?.kind == .missingKey)
        #expect(error?.key == "_class_name")
        #expect(error?.file == tmp.path + "/model_index.json")
        #expect(error?.description.contains("model_index.json: \"_class_name\": required key is missing") == true)
    }

    @Test func badSchedulerConfigNamesFileAndKey() throws {
        let tmp = try TempModelFolder()
        try tmp.write(#"{"_class_name": "PNDMScheduler", "steps_offset": "one"}"#, to: "scheduler/scheduler_config.json")
        let error = configError { _ = try ModelFolder(path: tmp.path) }
        #expect(error?.kind == .invalidValue)
        #expect(error?.key == "steps_offset")
        #expect(error?.file == tmp.path + "/scheduler/scheduler_config.json")
    }

    @Test func binOnlyCheckpointIsRefused() throws {
        let tmp = try TempModelFolder()
        try tmp.remove("unet/diffusion_pytorch_model.safetensors")
        try tmp.write("", to: "unet/diffusion_pytorch_model.bin")
        let error = folderError { _ = try ModelFolder(path: tmp.path) }
        #expect(error?.kind == .unsupportedWeights)
        #expect(error?.path == tmp.path + "/unet")
        #expect(error?.description.contains("diffusion_pytorch_model.bin") == true)
        #expect(error?.description.contains("convert to safetensors") == true)
        try tmp.remove("unet/diffusion_pytorch_model.bin")
        #expect(folderError { _ = try ModelFolder(path: tmp.path) }?.kind == .missingWeights)
    }

    @Test func fp16Variant() throws {
        let tmp = try TempModelFolder()
        try tmp.remove("unet/diffusion_pytorch_model.safetensors")
        try tmp.write("", to: "unet/diffusion_pytorch_model.fp16.safetensors")
        // Only the variant is there and none was asked for: say which variant to pass.
        let error = folderError { _ = try ModelFolder(path: tmp.path) }
        #expect(error?.kind == .variantMismatch)
        #expect(error?.description.contains("pass variant: \"fp16\"") == true)

        try tmp.write("", to: "vae/diffusion_pytorch_model.fp16.safetensors")
        try tmp.write("", to: "text_encoder/model.fp16.safetensors")
        let folder = try ModelFolder(path: tmp.path, variant: "fp16")
        #expect(folder.unetWeights.files == [tmp.path + "/unet/diffusion_pytorch_model.fp16.safetensors"])
        #expect(folder.unetWeights.variant == "fp16")
        #expect(folder.textEncoderWeights?.files == [tmp.path + "/text_encoder/model.fp16.safetensors"])

        let wrong = folderError { _ = try ModelFolder(path: tmp.path, variant: "bf16") }
        #expect(wrong?.kind == .variantMismatch)
        #expect(wrong?.description.contains("no \"bf16\" variant") == true)
    }

    @Test func shardedCheckpoint() throws {
        let tmp = try TempModelFolder()
        try tmp.remove("unet/diffusion_pytorch_model.safetensors")
        try tmp.write("""
            {"metadata": {"total_size": 3438167534},
             "weight_map": {"conv_in.weight": "diffusion_pytorch_model-00001-of-00002.safetensors",
                            "conv_in.bias": "diffusion_pytorch_model-00001-of-00002.safetensors",
                            "conv_out.weight": "diffusion_pytorch_model-00002-of-00002.safetensors"}}
            """, to: "unet/diffusion_pytorch_model.safetensors.index.json")
        try tmp.write("", to: "unet/diffusion_pytorch_model-00001-of-00002.safetensors")
        let missing = folderError { _ = try ModelFolder(path: tmp.path) }
        #expect(missing?.kind == .missingShard)
        #expect(missing?.path == tmp.path + "/unet/diffusion_pytorch_model-00002-of-00002.safetensors")

        try tmp.write("", to: "unet/diffusion_pytorch_model-00002-of-00002.safetensors")
        let folder = try ModelFolder(path: tmp.path)
        #expect(folder.unetWeights.isSharded)
        #expect(folder.unetWeights.files == [
            tmp.path + "/unet/diffusion_pytorch_model-00001-of-00002.safetensors",
            tmp.path + "/unet/diffusion_pytorch_model-00002-of-00002.safetensors",
        ])
        #expect(folder.unetWeights.indexFile == tmp.path + "/unet/diffusion_pytorch_model.safetensors.index.json")
        #expect(folder.unetWeights.weightMap?["conv_out.weight"] == "diffusion_pytorch_model-00002-of-00002.safetensors")

        try tmp.write(#"{"weight_map": {"x": "../../etc/passwd.safetensors"}}"#, to: "unet/diffusion_pytorch_model.safetensors.index.json")
        #expect(folderError { _ = try ModelFolder(path: tmp.path) }?.kind == .invalidShardIndex)
        try tmp.write("[]", to: "unet/diffusion_pytorch_model.safetensors.index.json")
        #expect(folderError { _ = try ModelFolder(path: tmp.path) }?.kind == .invalidShardIndex)
    }

    @Test func shardedVariantIndex() throws {
        let tmp = try TempModelFolder()
        try tmp.write(#"{"weight_map": {"a": "model.fp16-00001-of-00001.safetensors"}}"#,
                      to: "text_encoder/model.safetensors.index.fp16.json")
        try tmp.write("", to: "text_encoder/model.fp16-00001-of-00001.safetensors")
        try tmp.write("", to: "unet/diffusion_pytorch_model.fp16.safetensors")
        try tmp.write("", to: "vae/diffusion_pytorch_model.fp16.safetensors")
        let folder = try ModelFolder(path: tmp.path, variant: "fp16")
        #expect(folder.textEncoderWeights?.files == [tmp.path + "/text_encoder/model.fp16-00001-of-00001.safetensors"])
    }

    @Test func missingTokenizerFiles() throws {
        let tmp = try TempModelFolder()
        try tmp.remove("tokenizer/merges.txt")
        let error = folderError { _ = try ModelFolder(path: tmp.path) }
        #expect(error?.kind == .missingTokenizerFiles)
        #expect(error?.path == tmp.path + "/tokenizer")
    }

    @Test func unsupportedModelIsReportedByValidateSupported() throws {
        let tmp = try TempModelFolder()
        try tmp.copy(FixturePaths.path("configs/sdxl/unet.json"), to: "unet/config.json")
        let folder = try ModelFolder(path: tmp.path)     // layout is fine
        let error = configError { try folder.validateSupported() }
        #expect(error?.key == "addition_embed_type")
        #expect(error?.file == tmp.path + "/unet/config.json")

        try tmp.write(#"{"_class_name": "StableDiffusionPipeline", "text_encoder": ["transformers", "T5EncoderModel"], "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"], "scheduler": ["diffusers", "PNDMScheduler"]}"#,
                      to: "model_index.json")
        let t5 = configError { try ModelFolder(path: tmp.path).validateSupported() }
        #expect(t5?.key == "text_encoder")
        #expect(t5?.description.contains("T5EncoderModel") == true)
    }

    @Test func modelIndexDecoding() throws {
        let index = try ModelIndex(jsonData: Data("""
            {"_class_name": "StableDiffusionXLPipeline", "_diffusers_version": "0.19.0.dev0",
             "force_zeros_for_empty_prompt": true, "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
             "tokenizer_2": null, "image_encoder": [null, null], "weird": 3, "unet": ["diffusers", "UNet2DConditionModel"]}
            """.utf8), file: "model_index.json")
        #expect(index.className == "StableDiffusionXLPipeline")
        #expect(index.diffusersVersion == "0.19.0.dev0")
        #expect(index.options == ["force_zeros_for_empty_prompt": true])
        #expect(index.absentComponents == ["image_encoder", "tokenizer_2"])
        #expect(Set(index.components.keys) == ["text_encoder_2", "unet"])
        let again = try ModelIndex(jsonData: try JSONEncoder().encode(index), file: "model_index.json")
        #expect(again == index)
    }
}

/// SDXL folders: `text_encoder_2` and `tokenizer_2` are read when `model_index.json` lists them.
@Suite("Model folder, SDXL")
struct ModelFolderSDXLTests {
    @Test func secondTextEncoderAndTokenizer() throws {
        let folder = try ModelFolder(path: FixturePaths.path("tiny-sdxl"))
        let text2 = try #require(folder.textEncoder2)
        #expect(text2.hiddenSize == 48 && text2.projectionDim == 40 && text2.hiddenAct == "gelu")
        #expect(folder.tokenizer2?.padToken == "!" && folder.tokenizer?.padToken == "<|endoftext|>")
        #expect(folder.textEncoder2Weights?.files == [FixturePaths.path("tiny-sdxl") + "/text_encoder_2/model.safetensors"])
        #expect(folder.tokenizer2Files?.hasVocabAndMerges == true)
        #expect(folder.weightFiles(.textEncoder2) == folder.textEncoder2Weights)

        let sd15 = try ModelFolder(path: FixturePaths.path("tiny-sd1"))
        #expect(sd15.textEncoder2 == nil && sd15.tokenizer2 == nil && sd15.textEncoder2Weights == nil && sd15.tokenizer2Files == nil)
        #expect(sd15.weightFiles(.textEncoder2) == nil)
    }

    /// A listed `text_encoder_2` needs its folder, config and weights like a required component.
    @Test func listedSecondTextEncoderMustBeComplete() throws {
        let tmp = try TempModelFolder()
        try tmp.copy(FixturePaths.path("configs/sdxl/model_index.json"), to: "model_index.json")
        let noFolder = folderError { _ = try ModelFolder(path: tmp.path) }
        #expect(noFolder?.kind == .missingComponent && noFolder?.path == tmp.path + "/text_encoder_2", "\(String(describing: noFolder))")

        try tmp.copy(FixturePaths.path("configs/sdxl/text_encoder_2.json"), to: "text_encoder_2/config.json")
        try tmp.copy(FixturePaths.path("configs/sdxl/tokenizer_2_config.json"), to: "tokenizer_2/tokenizer_config.json")
        try tmp.write("{}", to: "tokenizer_2/vocab.json")
        try tmp.write("#version: 0.2\n", to: "tokenizer_2/merges.txt")
        let noWeights = folderError { _ = try ModelFolder(path: tmp.path) }
        #expect(noWeights?.kind == .missingWeights && noWeights?.path == tmp.path + "/text_encoder_2")

        try tmp.write("", to: "text_encoder_2/model.safetensors")
        let folder = try ModelFolder(path: tmp.path)
        #expect(folder.textEncoder2?.numHiddenLayers == 32 && folder.tokenizer2?.padToken == "!")
        #expect(try ModelFolder(path: tmp.path, weights: false).textEncoder2Weights == WeightFiles(files: []))
    }
}
