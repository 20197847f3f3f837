import Foundation
import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// `VAEConfig`: a VAE folder's class from its `_class_name`, with one-line errors for anything else; the
/// `LatentAutoencoder` both classes give the pipeline.
@Suite struct VAEConfigTests {
    @Test func classIsReadFromTheConfig() throws {
        let kl = try VAEConfig(contentsOfFile: FixturePaths.path("tiny-sd1/vae/config.json"))
        guard case .autoencoderKL(let klConfig) = kl else { Issue.record("tiny-sd1/vae: \(kl)"); return }
        #expect(klConfig.blockOutChannels == [32, 64] && kl.className == "AutoencoderKL")
        let tiny = try VAEConfig(contentsOfFile: TinyVAEFixture.folder + "/config.json")
        #expect(tiny == .autoencoderTiny(try TinyVAEFixture.config()))
        for config in [kl, tiny] {
            #expect(config.latentChannels == 4 && config.scaleFactor == 2)
            try config.validateSupported()
        }
        #expect(tiny.sourceFile.hasSuffix("tiny-taesd/config.json"))
        let (_, fullSizeJSON, _) = try TinyVAEFixture.fullSize()
        #expect(try VAEConfig(jsonData: fullSizeJSON).scaleFactor == 8)
    }

    /// diffusers' defaults are TAESD's: the full-size config written by diffusers decodes to `AutoencoderTinyConfig()`
    /// (but for metadata); every key is written back, and a round trip gives the same config.
    @Test func tinyConfigDefaultsAndRoundTrip() throws {
        var (fullSize, _, _) = try TinyVAEFixture.fullSize()
        #expect(fullSize.className == "AutoencoderTiny")
        fullSize.className = nil
        fullSize.sourceFile = AutoencoderTinyConfig().sourceFile
        #expect(fullSize == AutoencoderTinyConfig())
        let config = try TinyVAEFixture.config()
        let json = try JSONEncoder().encode(config)
        let keys = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        #expect(keys.count == 16 && keys["num_decoder_blocks"] as? [Int] == [2, 1] && keys["_class_name"] as? String == "AutoencoderTiny")
        #expect(try AutoencoderTinyConfig(jsonData: json, file: config.sourceFile) == config)
    }

    @Test func otherClassesAndMissingNamesAreRefused() throws {
        let unet = try #require(throws: ConfigError.self) {
            _ = try VAEConfig(contentsOfFile: FixturePaths.path("tiny-sd1/unet/config.json"))
        }
        #expect(unet.kind == .unsupported && unet.key == "_class_name" && unet.value == "\"UNet2DConditionModel\"")
        #expect(unet.description.contains("\"AutoencoderKL\" or \"AutoencoderTiny\""))
        let unnamed = try #require(throws: ConfigError.self) { _ = try VAEConfig(jsonData: Data(#"{"latent_channels": 4}"#.utf8)) }
        #expect(unnamed.kind == .missingKey && unnamed.key == "_class_name")
        let notJSON = try #require(throws: ConfigError.self) { _ = try VAEConfig(jsonData: Data("{ nope".utf8)) }
        #expect(notJSON.kind == .invalidJSON)
        let missing = try #require(throws: ConfigError.self) { _ = try VAEConfig(contentsOfFile: "/nonexistent/config.json") }
        #expect(missing.kind == .unreadable)
        let badValue = try #require(throws: ConfigError.self) {
            _ = try VAEConfig(jsonData: Data(#"{"_class_name": "AutoencoderTiny", "latent_channels": "four"}"#.utf8))
        }
        #expect(badValue.key == "latent_channels")
    }

    /// `encodeLatents`: AutoencoderKL draws one noise tensor of the latents' shape (the posterior sample);
    /// AutoencoderTiny draws none and returns `encode`'s latents.
    @Test func encodeLatentsDrawsNoiseOnlyForAutoencoderKL() throws {
        let image = try TinyVAEFixture.reference().tensor("encode.input")
        let kl: any LatentAutoencoder = try AutoencoderKL(directory: FixturePaths.path("tiny-sd1/vae"), backend: CPUBackend())
        let tiny: any LatentAutoencoder = try TinyVAEFixture.model()
        var shapes: [[Int]] = []
        let sampled = try kl.encodeLatents(image, tiled: false) { shape in shapes.append(shape); return Tensor(zeros: shape) }
        #expect(shapes == [[1, 4, 16, 16]])
        let mean = try (kl as! AutoencoderKL).encode(image).mean
        #expect(sampled.floats() == mean.floats())   // zero noise: the mean
        let latents = try tiny.encodeLatents(image, tiled: false) { _ in
            Issue.record("AutoencoderTiny drew noise")
            return Tensor(zeros: [1])
        }
        #expect(latents.floats() == (try (tiny as! AutoencoderTiny).encode(image)).floats())
        #expect(kl.className == "AutoencoderKL" && kl.latentChannels == 4 && kl.attentionLayers.count == 2)
        try tiny.setAttentionProcessor(VanillaAttention())    // no layers: nothing to set, no error
    }
}
