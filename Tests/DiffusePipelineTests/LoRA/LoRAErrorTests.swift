import Testing
import Foundation
import DiffuseCore
import DiffusePipeline
import DiffuseSources
import DiffuseTestSupport

/// Bad LoRA input: one-line `LoRAError`s naming the file (and a few keys where keys are the problem); a
/// partly matching file loads with a warning that counts and names the unmatched keys; a failed
/// `setLoRAs` leaves the pipeline's adapters as they were.
@Suite struct LoRAErrorTests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/diffuse-lora-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A kohya file: `pairs` (stem, up shape, down shape) with random values, alpha = rank.
    static func kohya(_ pairs: [(String, [Int], [Int])], at path: String, extra: [String: Tensor] = [:]) throws {
        var tensors = extra
        var random = TestRandom(seed: 3)
        for (stem, up, down) in pairs {
            tensors[stem + ".lora_up.weight"] = Tensor(random.floats(up.reduce(1, *), scale: 0.1), shape: up)
            tensors[stem + ".lora_down.weight"] = Tensor(random.floats(down.reduce(1, *), scale: 0.1), shape: down)
            tensors[stem + ".alpha"] = Tensor([Float(down[0])], shape: [])
        }
        try SafeTensors.write(tensors, to: path)
    }

    static func error(_ body: () throws -> Void) -> LoRAError? {
        do { try body() } catch let error as LoRAError { return error } catch { Issue.record("not a LoRAError: \(error)") }
        return nil
    }

    @Test func unreadableFiles() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = Self.error { _ = try LoRAFile(path: dir + "/missing.safetensors") }
        #expect(missing?.kind == .unreadable && missing!.description.hasPrefix(dir + "/missing.safetensors: "))
        let pickle = Self.error { _ = try LoRAFile(path: dir + "/style.ckpt") }
        #expect(pickle?.kind == .unreadable && pickle!.message.contains("pickle"))
        try Data("not a safetensors file".utf8).write(to: URL(fileURLWithPath: dir + "/junk.safetensors"))
        let junk = Self.error { _ = try LoRAFile(path: dir + "/junk.safetensors") }
        #expect(junk?.kind == .unreadable)
        for e in [missing, pickle, junk] { #expect(!(e?.description.contains("\n") ?? true), "one line: \(String(describing: e))") }
    }

    /// A model's weight file is not a LoRA: the message says so and names some of its keys.
    @Test func notALoRA() {
        let path = FixturePaths.path("tiny-sd1/unet/diffusion_pytorch_model.safetensors")
        let e = Self.error { _ = try LoRAFile(path: path) }
        #expect(e?.kind == .notLoRA)
        #expect(e?.description.hasPrefix(path + ": not a LoRA file") ?? false)
        #expect(e?.message.contains("conv_in.bias") ?? false, "names keys: \(String(describing: e))")
    }

    @Test func unsupportedVariants() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.kohya([("lora_unet_conv_in", [32, 4, 1, 1], [4, 4, 3, 3])], at: dir + "/tucker.safetensors",
                       extra: ["lora_unet_conv_in.lora_mid.weight": Tensor(zeros: [4, 4, 3, 3])])
        #expect(Self.error { _ = try LoRAFile(path: dir + "/tucker.safetensors") }?.kind == .unsupported)
        try Self.kohya([("lora_unet_conv_in", [32, 4, 1, 1], [3, 4, 3, 3])], at: dir + "/ranks.safetensors")
        let ranks = Self.error { _ = try LoRAFile(path: dir + "/ranks.safetensors") }
        #expect(ranks?.kind == .unsupported && ranks!.message.contains("lora_unet_conv_in.lora_down.weight"))
    }

    @Test func scales() throws {
        #expect(try LoRAAdapter.parse("style.safetensors") == ("style.safetensors", 1))
        #expect(try LoRAAdapter.parse("style.safetensors:0.8") == ("style.safetensors", 0.8))
        #expect(try LoRAAdapter.parse("a:b/style.safetensors:-0.5") == ("a:b/style.safetensors", -0.5))
        #expect(try LoRAAdapter.parse("dir:x/style.safetensors") == ("dir:x/style.safetensors", 1), "a path with a colon")
        #expect(Self.error { _ = try LoRAAdapter.parse("style.safetensors:nan") }?.kind == .invalidScale)
        #expect(Self.error { _ = try LoRAAdapter.parse("style.safetensors:inf") }?.kind == .invalidScale)
    }

    /// No layer matches (another model's names): an error naming the file and a few keys; the pipeline
    /// keeps the adapters it had.
    @Test func noMatchingKeys() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.kohya([("lora_unet_double_blocks_0_img_attn_qkv", [96, 4], [4, 32]),
                        ("lora_te_text_model_encoder_layers_40_mlp_fc1", [64, 4], [4, 32])], at: dir + "/flux.safetensors")
        let pipe = try LoRAFixture.pipeline("tiny-sd1")
        try pipe.setLoRAs([try LoRAFixture.adapter("sd1-old", scale: 1)])
        let e = Self.error { try pipe.setLoRAs([try LoRAAdapter(path: dir + "/flux.safetensors")]) }
        #expect(e?.kind == .mismatch)
        #expect(e?.description.hasPrefix(dir + "/flux.safetensors: none of its 2 LoRA keys matches") ?? false, "\(String(describing: e))")
        #expect(e?.message.contains("lora_unet_double_blocks_0_img_attn_qkv.lora_down.weight") ?? false)
        #expect(pipe.loras.map(\.file.name) == ["sd1-old"], "the previous adapters stay")
    }

    /// A layer whose shapes do not fit its weight (a LoRA for a wider model) is an error, not a silent skip.
    @Test func wrongShapes() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.kohya([("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q", [320, 4], [4, 320])],
                       at: dir + "/wide.safetensors")
        let pipe = try LoRAFixture.pipeline("tiny-sd1")
        let e = Self.error { try pipe.setLoRAs([try LoRAAdapter(path: dir + "/wide.safetensors")]) }
        #expect(e?.kind == .mismatch && e!.message.contains("does not fit unet down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight [32, 32]"),
                "\(String(describing: e))")
        #expect(pipe.loras.isEmpty)
    }

    /// A file that partly matches loads, with a warning that counts and names what was ignored (a layer
    /// of another component, a layer of no module, and a stray key).
    @Test func partlyMatchingFileWarns() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.kohya([("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q", [32, 4], [4, 32]),
                        ("lora_te2_text_model_encoder_layers_0_mlp_fc1", [64, 4], [4, 32]),
                        ("lora_unet_down_blocks_9_attentions_0_proj_in", [32, 4], [4, 32])],
                       at: dir + "/partial.safetensors", extra: ["lora_unet_conv_in.dora_scale": Tensor(zeros: [1, 32])])
        let pipe = try LoRAFixture.pipeline("tiny-sd1")
        let warnings = try pipe.setLoRAs([try LoRAAdapter(path: dir + "/partial.safetensors", scale: 0.5)])
        #expect(warnings.count == 1)
        let warning = warnings.first ?? ""
        #expect(warning.hasPrefix(dir + "/partial.safetensors: 3 of 4 LoRA keys match no weight of this model and are ignored: "), "\(warning)")
        for key in ["lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_down.weight", "lora_unet_down_blocks_9_attentions_0_proj_in.lora_down.weight",
                    "lora_unet_conv_in.dora_scale"] {
            #expect(warning.contains(key), "\(key)")
        }
        #expect(pipe.loras.count == 1)
    }
}
