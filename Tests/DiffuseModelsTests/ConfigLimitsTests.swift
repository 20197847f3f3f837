import Foundation
import DiffuseModels
import DiffuseTestSupport
import Testing

/// Hostile sizes in otherwise real configs (issue #20: each ended in a fatal allocation or an overflow
/// trap): refused by `validateSupported()` with the key and the bound, before any module is built.
/// The real SD 1.5 / SDXL configs pass (Fixtures/configs).
struct ConfigLimitsTests {
    /// A committed real config with `overrides` applied, decoded as `C`.
    static func config<C: ConfigFile>(_ type: C.Type, _ name: String, _ overrides: [String: Any]) throws -> C {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("configs/" + name)))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        json.merge(overrides) { $1 }
        return try C(jsonData: try JSONSerialization.data(withJSONObject: json), file: "test.json")
    }

    static func refusal(_ body: () throws -> Void) -> String {
        configError(body).map { "\($0)" } ?? "no ConfigError"
    }

    @Test func unetSizesAreBounded() throws {
        let huge = 1 << 40
        for (overrides, key) in [(["layers_per_block": 1_000_000], "layers_per_block"),
                                 (["block_out_channels": [huge, huge, huge, huge]], "block_out_channels[0]"),
                                 (["transformer_layers_per_block": 100_000], "transformer_layers_per_block"),
                                 (["cross_attention_dim": huge], "cross_attention_dim"),
                                 (["sample_size": huge], "sample_size")] as [([String: Any], String)] {
            let unet = try Self.config(UNet2DConditionConfig.self, "sd15/unet.json", overrides)
            let message = Self.refusal { try unet.validateSupported() }
            #expect(message.contains("\"\(key)\"") && message.contains("at most"), "\(overrides): \(message)")
        }
        try fixture(UNet2DConditionConfig.self, "sd15/unet.json").validateSupported()
        try fixture(UNet2DConditionConfig.self, "sdxl/unet.json").validateSupported()
    }

    @Test func vaeTextEncoderAndTokenizerSizesAreBounded() throws {
        let vae = try Self.config(AutoencoderKLConfig.self, "sd15/vae.json", ["layers_per_block": 1_000_000])
        #expect(Self.refusal { try vae.validateSupported() }.contains("\"layers_per_block\" = 1000000"))
        for (key, value) in [("num_hidden_layers", 1_000_000_000), ("hidden_size", 1 << 40), ("vocab_size", 1 << 40),
                             ("max_position_embeddings", 1_000_000_000)] {
            let text = try Self.config(CLIPTextConfig.self, "sd15/text_encoder.json", [key: value])
            #expect(Self.refusal { try text.validateSupported() }.contains("\"\(key)\" = \(value)"), "\(key)")
        }
        let tokenizer = try decode(CLIPTokenizerConfig.self, #"{"model_max_length": 1000000000}"#)
        #expect(Self.refusal { try tokenizer.validateSupported() }.contains("\"model_max_length\" = 1000000000"))
        let tiny = try decode(AutoencoderTinyConfig.self, #"{"num_decoder_blocks": [3, 3, 3, 100000000]}"#)
        #expect(Self.refusal { try tiny.validateSupported() }.contains("at most"))
        try fixture(CLIPTextConfig.self, "sdxl/text_encoder_2.json").validateSupported()
    }
}
