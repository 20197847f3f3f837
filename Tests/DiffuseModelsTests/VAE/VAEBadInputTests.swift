import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// What the VAE refuses, and how it says so: unsupported config values (named by key and value, before
/// any weight is read), checkpoints that do not fit the config (every missing, unused and mis-shaped key
/// at once), missing files (named by path), and tensors of the wrong shape.
@Suite struct VAEBadInputTests {
    static let sd1 = "tiny-sd1"

    @Test func unsupportedConfigValueIsRefusedByKeyAndValue() throws {
        var config = try VAEFixture.config(Self.sd1)
        config.upBlockTypes[0] = "AttnUpDecoderBlock2D"
        // The config is checked before the files are opened: a missing file is not what is reported.
        let error = try #require(throws: ConfigError.self) {
            _ = try AutoencoderKL(config: config, weightFiles: ["/nonexistent/vae.safetensors"], backend: CPUBackend())
        }
        #expect(error.kind == .unsupported)
        #expect(error.key == "up_block_types[0]" && error.value == "\"AttnUpDecoderBlock2D\"")
        #expect(error.description.contains("up_block_types[0]") && error.description.contains("AttnUpDecoderBlock2D"))
        #expect(error.description.contains("config.json"))

        var gelu = try VAEFixture.config(Self.sd1)
        gelu.actFn = "gelu"
        let actError = try #require(throws: ConfigError.self) {
            _ = try AutoencoderKL(config: gelu, weightFiles: [VAEFixture.weightsPath(Self.sd1)], backend: CPUBackend())
        }
        #expect(actError.key == "act_fn" && actError.value == "\"gelu\"")
    }

    @Test func missingUnusedAndMismatchedKeysAreListedTogether() throws {
        var tensors = try VAEFixture.tensors(Self.sd1)
        tensors["decoder.conv_out.bias"] = nil                                  // missing
        tensors["decoder.extra.weight"] = Tensor(zeros: [3])                    // unused
        tensors["quant_conv.weight"] = Tensor(zeros: [8, 8, 3, 3])              // wrong shape
        let store = WeightStore(tensors: tensors, dtype: .f32, source: "tiny-sd1/vae (edited)")
        let error = try #require(throws: WeightLoadError.self) {
            _ = try AutoencoderKL(config: VAEFixture.config(Self.sd1), weights: store, backend: CPUBackend())
        }
        #expect(error.missing == ["decoder.conv_out.bias"])
        #expect(error.unused == ["decoder.extra.weight"])
        #expect(error.mismatched == ["quant_conv.weight: expected [8, 8, 1, 1], found [8, 8, 3, 3]"])
        #expect(error.description.contains("tiny-sd1/vae (edited)"))
    }

    /// A config that does not describe the checkpoint (here two resnets per block instead of one, and
    /// wider last blocks) is a key-check failure naming the keys, never a crash.
    @Test func configWeightsMismatchListsKeys() throws {
        var deeper = try VAEFixture.config(Self.sd1)
        deeper.layersPerBlock = 2
        let error = try #require(throws: WeightLoadError.self) {
            _ = try AutoencoderKL(config: deeper, weightFiles: [VAEFixture.weightsPath(Self.sd1)], backend: CPUBackend())
        }
        #expect(error.missing.contains("encoder.down_blocks.0.resnets.1.conv1.weight"))
        #expect(error.missing.contains("decoder.up_blocks.0.resnets.2.conv1.weight"))
        #expect(error.unused.isEmpty && error.mismatched.isEmpty)

        var wider = try VAEFixture.config(Self.sd1)
        wider.blockOutChannels = [32, 128]
        let shapeError = try #require(throws: WeightLoadError.self) {
            _ = try AutoencoderKL(config: wider, weightFiles: [VAEFixture.weightsPath(Self.sd1)], backend: CPUBackend())
        }
        #expect(shapeError.mismatched.contains("decoder.conv_in.weight: expected [128, 4, 3, 3], found [64, 4, 3, 3]"))
    }

    @Test func missingFilesAreNamed() throws {
        let folder = "/nonexistent/tiny/vae"
        let configError = try #require(throws: ConfigError.self) {
            _ = try AutoencoderKL(directory: folder, backend: CPUBackend())
        }
        #expect(configError.kind == .unreadable && configError.description.contains(folder + "/config.json"))

        let variantError = try #require(throws: (any Error).self) {
            _ = try AutoencoderKL(directory: VAEFixture.folder(Self.sd1), variant: "fp16", backend: CPUBackend())
        }
        #expect("\(variantError)".contains("diffusion_pytorch_model.fp16.safetensors"), "\(variantError)")

        let weights = "/nonexistent/diffusion_pytorch_model.safetensors"
        do {
            _ = try AutoencoderKL(config: VAEFixture.config(Self.sd1), weightFiles: [weights], backend: CPUBackend())
            Issue.record("loading a missing weight file did not throw")
        } catch {
            #expect("\(error)".contains(weights), "\(error)")
        }
        let empty = try #require(throws: AutoencoderKLError.self) {
            _ = try AutoencoderKL(config: VAEFixture.config(Self.sd1), weightFiles: [], backend: CPUBackend())
        }
        #expect(empty.description.contains("no weight files"))
    }

    @Test func wrongInputShapesAreRefused() throws {
        let vae = try VAEFixture.model(Self.sd1)
        let rgbAsLatents = try #require(throws: AutoencoderKLError.self) {
            _ = try vae.decode(Tensor(zeros: [1, 3, 16, 16]))
        }
        #expect(rgbAsLatents.description.contains("[1, 3, 16, 16]") && rgbAsLatents.description.contains("[batch, 4, height, width]"))
        #expect(throws: AutoencoderKLError.self) { _ = try vae.encode(Tensor(zeros: [3, 32, 32])) }
        #expect(throws: AutoencoderKLError.self) { _ = try vae.encode(Tensor(zeros: [1, 3, 0, 32])) }
        #expect(throws: AutoencoderKLError.self) { _ = try vae.decode(Tensor(ids: [0, 0, 0, 0], shape: [1, 4, 1, 1])) }
    }

    /// `mid_block_add_attention: false` and `use_quant_conv` / `use_post_quant_conv: false` build the
    /// smaller model diffusers builds: the checkpoint without those keys loads, and runs.
    @Test func optionalPartsFollowTheConfig() throws {
        var config = try VAEFixture.config(Self.sd1)
        config.midBlockAddAttention = false
        config.useQuantConv = false
        config.usePostQuantConv = false
        let tensors = try VAEFixture.tensors(Self.sd1).filter {
            !$0.key.contains(".attentions.") && !$0.key.hasPrefix("quant_conv.") && !$0.key.hasPrefix("post_quant_conv.")
        }
        let vae = try AutoencoderKL(config: config, weights: WeightStore(tensors: tensors, dtype: .f32, source: "no-attention"),
                                    backend: CPUBackend())
        #expect(vae.attentionLayers.isEmpty)
        let image = try vae.decode(Tensor(zeros: [1, 4, 4, 4]))
        #expect(image.shape == [1, 3, 8, 8])
        let (mean, logvar) = try vae.encode(image)
        #expect(mean.shape == [1, 4, 4, 4] && logvar.shape == [1, 4, 4, 4])
    }

    /// diffusers clamps logvar to [-30, 20]; values outside come back clamped.
    @Test func logvarIsClamped() throws {
        var tensors = try VAEFixture.tensors(Self.sd1)
        // quant_conv bias of ±1000 on the logvar channels (4…7) pushes every logvar out of range.
        let bias = Tensor([0, 0, 0, 0, 1000, 1000, -1000, -1000], shape: [8])
        tensors["quant_conv.bias"] = bias
        let vae = try AutoencoderKL(config: VAEFixture.config(Self.sd1),
                                    weights: WeightStore(tensors: tensors, dtype: .f32, source: "big-logvar"),
                                    backend: CPUBackend())
        let logvar = try vae.encode(Tensor(zeros: [1, 3, 8, 8])).logvar.floats()
        let perChannel = logvar.count / 4
        #expect(logvar[..<(2 * perChannel)].allSatisfy { $0 == 20 })
        #expect(logvar[(2 * perChannel)...].allSatisfy { $0 == -30 })
    }
}
