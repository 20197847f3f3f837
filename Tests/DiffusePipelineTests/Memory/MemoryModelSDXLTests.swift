import DiffuseBench
import DiffuseCore
import DiffuseNN
import DiffusePipeline
import Testing

/// The memory model on SDXL base's configs: the UNet's attention scores at its first level with attention
/// (level 1: 64² tokens at 1024², 10 heads), the text stage's peak from the larger encoder (text_encoder_2),
/// and the bf16 kernel's packed copies bounded by its cache.
struct MemoryModelSDXLTests {
    static let configs = ModelConfigs(.sdxl)
    static let model = MemoryModel(unet: configs.unet, vae: .autoencoderKL(configs.vae), textEncoder: configs.textEncoder,
                                   textEncoder2: configs.textEncoder2, bf16Accelerated: false)

    static func activation(_ call: MemoryCall, _ attention: AttentionChoice, batch: Int = 1) -> Int {
        model.activationBytes(MemoryRequest(call: call, width: 1024, height: 1024, batch: batch,
                                            attention: MemoryAttention(attention)))
    }

    @Test func unetScoresAtTheFirstLevelWithAttention() {
        let flash = Self.activation(.unet, .flash), vanilla = Self.activation(.unet, .vanilla)
        #expect(flash == 4 * 128 * 128 * MemoryModel.unetActivationFactor * 320 + (512 << 10))
        #expect(vanilla - flash == 2 * 4 * 10 * 4096 * 4096 - (512 << 10))      // scores + softmax, f32
        #expect(Self.activation(.unet, .vanilla, batch: 2) - Self.activation(.unet, .flash, batch: 2)
                == 2 * (vanilla - flash) + (512 << 10))
    }

    @Test func textStageFromTheLargerEncoder() {
        let tokens = 77
        #expect(Self.activation(.textEncoder, .vanilla, batch: 2)
                == 4 * 2 * tokens * MemoryModel.textActivationFactor * 1280 + 2 * 4 * 2 * 20 * tokens * tokens)
        var first = Self.model
        first.textEncoder2 = nil
        #expect(first.activationBytes(MemoryRequest(call: .textEncoder, width: 1024, height: 1024, batch: 2,
                                                    attention: MemoryAttention(.vanilla)))
                == 4 * 2 * tokens * MemoryModel.textActivationFactor * 768 + 2 * 4 * 2 * 12 * tokens * tokens)
    }

    /// SDXL's bf16 UNet (2.57 G parameters: 5.1 GB of bf16 weights) packs more than the kernel's cache keeps.
    @Test func packedCopiesBoundedByTheCache() {
        let policy = PrecisionPolicy(.bf16, bf16Accelerated: true)
        let capacity = policy.packedCapacityBytes
        let (unet, text, vae) = (2_567_463_684, 123_060_480 + 694_659_840, 83_653_863)
        let weights = WeightFootprint.parameters(unet: unet, textEncoder: text, vae: vae)
        #expect(2 * unet > capacity)
        #expect(weights.bytes(.unet, policy: policy) == 2 * unet + capacity)
        #expect(weights.bytes(.pipeline, policy: policy) == 2 * (unet + text) + 4 * vae + capacity)
        #expect(weights.bytes(.textEncoder, policy: policy) == 4 * text)          // 1.6 GB packed: all kept
        #expect(WeightFootprint.bytes(6 << 30).bytes(.unet, policy: policy) == (6 << 30) + capacity)
        #expect(WeightFootprint.bytes(1 << 30).bytes(.unet, policy: policy) == 2 << 30)
    }

    /// A whole 1024² generation in bf16 peaks in its largest stage: the UNet's with the packed copies, not
    /// the VAE decode's (which runs after they are dropped). Measured on the full-size folder
    /// (docs/benchmarks.md, "SDXL and SD-Turbo"): 12.08 GB peak RSS; the prediction stays above it and
    /// under 12 GiB, so `--memory-limit 12GiB` accepts the run.
    @Test func bf16PipelineAt1024FitsTwelveGiB() {
        var model = Self.model
        model.bf16Accelerated = true
        let policy = PrecisionPolicy(.bf16, bf16Accelerated: true)
        let weights = WeightFootprint.parameters(unet: 2_567_463_684, textEncoder: 123_060_480 + 694_659_840, vae: 83_653_863)
        let request = MemoryRequest(call: .pipeline, width: 1024, height: 1024, batch: 1, precision: .bf16,
                                    attention: MemoryAttention(.flash))
        let peak = model.peakBytes(request, weights: weights)
        let packed = weights.packedBytes(.pipeline, policy: policy)
        #expect(packed == policy.packedCapacityBytes)
        let held = weights.bytes(.pipeline, policy: policy) - packed
        #expect(peak == held + packed + model.activationBytes(MemoryRequest(call: .unet, width: 1024, height: 1024,
                                                                              batch: 2, attention: MemoryAttention(.flash))))
        #expect(peak >= 12_082_180_096 && peak <= 12 << 30, "\(peak)")
    }
}
