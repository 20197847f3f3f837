import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// What `AutoencoderTiny` refuses, and how it says so: unsupported or inconsistent config values (named by key
/// and value, before any weight is read), checkpoints that do not fit the config (every bad key at once),
/// missing files, and tensors of the wrong shape.
@Suite struct TinyVAEBadInputTests {
    static func refusal(_ edit: (inout AutoencoderTinyConfig) -> Void) throws -> ConfigError {
        var config = try TinyVAEFixture.config()
        edit(&config)
        return try #require(throws: ConfigError.self) {
            // checked before the (missing) file is opened
            _ = try AutoencoderTiny(config: config, weightFiles: ["/nonexistent/taesd.safetensors"], backend: CPUBackend())
        }
    }

    @Test func unsupportedConfigValuesAreRefusedByKeyAndValue() throws {
        let mish = try Self.refusal { $0.actFn = "mish" }
        #expect(mish.kind == .unsupported && mish.key == "act_fn" && mish.value == "\"mish\"")
        #expect(mish.description.contains("config.json") && mish.description.contains("\"relu\""))
        let bilinear = try Self.refusal { $0.upsampleFn = "bilinear" }
        #expect(bilinear.key == "upsample_fn" && bilinear.kind == .unsupported)
        let factor = try Self.refusal { $0.upsamplingScalingFactor = 4 }
        #expect(factor.key == "upsampling_scaling_factor" && factor.value == "4")
        let klName = try Self.refusal { $0.className = "AutoencoderKL" }
        #expect(klName.key == "_class_name")
    }

    /// Configs diffusers itself could not run (stages that do not chain, lists of different lengths) are
    /// an `invalidValue` naming the key, not a crash while building.
    @Test func inconsistentConfigsAreInvalid() throws {
        let widths = try Self.refusal { $0.encoderBlockOutChannels = [16, 32] }
        #expect(widths.kind == .invalidValue && widths.key == "encoder_block_out_channels")
        #expect(widths.description.contains("same width"))
        let counts = try Self.refusal { $0.numDecoderBlocks = [1, 1, 1] }
        #expect(counts.key == "num_decoder_blocks" && counts.description.contains("one entry per decoder_block_out_channels"))
        let stages = try Self.refusal { $0.decoderBlockOutChannels = [16, 16, 16]; $0.numDecoderBlocks = [1, 1, 1] }
        #expect(stages.key == "decoder_block_out_channels" && stages.description.contains("as many stages"))
        let empty = try Self.refusal { $0.encoderBlockOutChannels = []; $0.numEncoderBlocks = [] }
        #expect(empty.key == "encoder_block_out_channels" && empty.value == "[]")
        let negative = try Self.refusal { $0.numEncoderBlocks = [1, -1] }
        #expect(negative.key == "num_encoder_blocks")
        let scaling = try Self.refusal { $0.scalingFactor = 0 }
        #expect(scaling.key == "scaling_factor")
    }

    @Test func missingUnusedAndMismatchedKeysAreListedTogether() throws {
        var tensors = try TinyVAEFixture.tensors()
        tensors["decoder.layers.7.bias"] = nil                         // missing
        tensors["decoder.layers.1.weight"] = Tensor(zeros: [3])        // unused (layer 1 is the activation)
        tensors["encoder.layers.2.weight"] = Tensor(zeros: [16, 16, 1, 1]) // wrong shape
        let store = WeightStore(tensors: tensors, dtype: .f32, source: "tiny-taesd (edited)")
        let error = try #require(throws: WeightLoadError.self) {
            _ = try AutoencoderTiny(config: TinyVAEFixture.config(), weights: store, backend: CPUBackend())
        }
        #expect(error.missing == ["decoder.layers.7.bias"])
        #expect(error.unused == ["decoder.layers.1.weight"])
        #expect(error.mismatched == ["encoder.layers.2.weight: expected [16, 16, 3, 3], found [16, 16, 1, 1]"])
        #expect(error.description.contains("tiny-taesd (edited)"))
    }

    /// A config that does not describe the checkpoint (TAESD's full-size config on the tiny weights, or a
    /// key dropped from the full-size layout) names the keys.
    @Test func configWeightsMismatchListsKeys() throws {
        let (fullConfig, _, _) = try TinyVAEFixture.fullSize()
        let error = try #require(throws: WeightLoadError.self) {
            _ = try AutoencoderTiny(config: fullConfig, weightFiles: [TinyVAEFixture.weightsPath], backend: CPUBackend())
        }
        #expect(error.missing.contains("decoder.layers.18.bias"))
        #expect(error.mismatched.contains("encoder.layers.0.weight: expected [64, 3, 3, 3], found [16, 3, 3, 3]"))

        let dropped = try #require(throws: WeightLoadError.self) {
            _ = try AutoencoderTiny(config: fullConfig, weights: TinyVAEFixture.fullSizeStore(dropping: ["encoder.layers.4.conv.2.bias"]),
                                    backend: CPUBackend())
        }
        #expect(dropped.missing == ["encoder.layers.4.conv.2.bias"] && dropped.unused.isEmpty)
    }

    @Test func missingFilesAreNamed() throws {
        let configError = try #require(throws: ConfigError.self) {
            _ = try AutoencoderTiny(directory: "/nonexistent/taesd", backend: CPUBackend())
        }
        #expect(configError.kind == .unreadable && configError.description.contains("/nonexistent/taesd/config.json"))
        let variant = try #require(throws: (any Error).self) {
            _ = try AutoencoderTiny(directory: TinyVAEFixture.folder, variant: "fp16", backend: CPUBackend())
        }
        #expect("\(variant)".contains("diffusion_pytorch_model.fp16.safetensors"), "\(variant)")
        let empty = try #require(throws: AutoencoderError.self) {
            _ = try AutoencoderTiny(config: TinyVAEFixture.config(), weightFiles: [], backend: CPUBackend())
        }
        #expect(empty.description.contains("no weight files"))
    }

    @Test func wrongInputShapesAreRefused() throws {
        let vae = try TinyVAEFixture.model()
        let rgbAsLatents = try #require(throws: AutoencoderError.self) { _ = try vae.decode(Tensor(zeros: [1, 3, 16, 16])) }
        #expect(rgbAsLatents.description.hasPrefix("AutoencoderTiny.decode: latents has 3 channels"))
        #expect(rgbAsLatents.description.contains("[batch, 4, height, width]"))
        let flat = try #require(throws: AutoencoderError.self) { _ = try vae.encode(Tensor(zeros: [3, 32, 32])) }
        #expect(flat.description.hasPrefix("AutoencoderTiny.encode: image has shape [3, 32, 32]"))
        #expect(throws: AutoencoderError.self) { _ = try vae.encode(Tensor(zeros: [1, 3, 0, 32])) }
        #expect(throws: AutoencoderError.self) { _ = try vae.decode(Tensor(ids: [0, 0, 0, 0], shape: [1, 4, 1, 1])) }
    }
}
