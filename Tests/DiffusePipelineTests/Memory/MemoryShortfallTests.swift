import DiffuseBench
import DiffuseCore
import DiffuseNN
import DiffusePipeline
import Testing

/// "Does this fit?" on SD 1.5's configs: the refusal names what was asked, what it would need, the
/// limit and where it comes from, and the single changes that would fit.
struct MemoryShortfallTests {
    static let gib = 1 << 30
    /// SD 1.5 (the bf16 kernel's packed copies left out so that the numbers do not depend on the CPU).
    static let model: MemoryModel = {
        let c = ModelConfigs(.sd15)
        return MemoryModel(unet: c.unet, vae: .autoencoderKL(c.vae), textEncoder: c.textEncoder, bf16Accelerated: false)
    }()
    /// SD 1.5's parameters: UNet, CLIP ViT-L/14 text model, VAE.
    static let weights = WeightFootprint.parameters(unet: 859_520_964, textEncoder: 123_060_480, vae: 83_653_863)

    static func request(batch: Int, _ attention: AttentionChoice, _ precision: Precision = .f32, size: Int = 512) -> MemoryRequest {
        MemoryRequest(call: .pipeline, width: size, height: size, batch: batch, precision: precision,
                      attention: MemoryAttention(attention))
    }

    /// 8 images at 512² with vanilla attention hold 16 × 8 heads × 4096² scores and their softmax in the
    /// UNet (16 GiB): over 16 GiB. Flash fits, and so do 5 images (6 do not).
    @Test func refusalSaysWhatWhyAndWhatToDo() throws {
        let asked = Self.request(batch: 8, .vanilla)
        let shortfall = try #require(Self.model.shortfall(asked, weights: Self.weights, limit: .option(16 * Self.gib)))
        let text = shortfall.description
        #expect(!text.contains("\n"))
        #expect(text.hasPrefix("512×512 × 8 images (f32, vanilla attention) would need about "))
        #expect(text.contains("(weights 3.97 GiB + activations "))
        #expect(text.contains("more than the limit of 16.00 GiB (--memory-limit); try "))
        #expect(shortfall.suggestions.contains("--images 5"))
        #expect(shortfall.suggestions.contains { $0.hasPrefix("--attention flash (about ") })
        #expect(shortfall.suggestions.last == "a larger --memory-limit if the machine has it")
        #expect(shortfall.neededBytes == Self.model.peakBytes(asked, weights: Self.weights))
        #expect(shortfall.neededBytes == shortfall.weightBytes + shortfall.activationBytes)
        for (batch, fits) in [(5, true), (6, false)] {
            let r = Self.request(batch: batch, .vanilla)
            #expect((Self.model.shortfall(r, weights: Self.weights, limit: .option(16 * Self.gib)) == nil) == fits)
        }
        // The example in README.md ("Memory limit").
        #expect(text == "512×512 × 8 images (f32, vanilla attention) would need about 22.32 GiB (weights 3.97 GiB + "
                + "activations 18.34 GiB), more than the limit of 16.00 GiB (--memory-limit); try --images 5, a size of "
                + "448×448, --attention flash (about 11.97 GiB) or a larger --memory-limit if the machine has it")
        #expect(shortfall.summary.hasPrefix("predicted ") && shortfall.summary.hasSuffix(" > limit 16.00 GiB (--memory-limit)"))
    }

    /// A limit the machine set: no advice to raise it; f16 weights suggested when only they fit.
    @Test func precisionAdviceAndMachineLimit() throws {
        let asked = Self.request(batch: 1, .flash)
        let f32 = Self.model.peakBytes(asked, weights: Self.weights)
        var half = asked
        half.precision = .f16
        let f16 = Self.model.peakBytes(half, weights: Self.weights)
        #expect(f16 < f32)
        let limit = MemoryLimit(bytes: (f16 + f32) / 2, source: .cgroupV2(file: "/sys/fs/cgroup/memory.max"))
        let shortfall = try #require(Self.model.shortfall(asked, weights: Self.weights, limit: limit))
        #expect(shortfall.suggestions.contains { $0.hasPrefix("--precision f16 (about ") })
        #expect(!shortfall.suggestions.contains { $0.contains("--memory-limit") })
        #expect(!shortfall.suggestions.contains { $0.contains("--attention") })   // flash already
        #expect(shortfall.description.contains("(cgroup memory.max); try "))
        // Measured weight bytes do not follow the precision: no precision advice.
        let measured = Self.model.shortfall(asked, weights: .bytes(4 * Self.gib), limit: .option(4 * Self.gib))
        #expect(measured?.suggestions.contains { $0.contains("--precision") } == false)
    }

    /// Fits, or no limit: nothing to say. The prediction grows with the batch and the size.
    @Test func fittingRequestsPass() throws {
        let small = Self.request(batch: 1, .flash, size: 256)
        #expect(Self.model.shortfall(small, weights: Self.weights, limit: .option(16 * Self.gib)) == nil)
        #expect(Self.model.shortfall(Self.request(batch: 64, .vanilla), weights: Self.weights, limit: nil) == nil)
        #expect(throws: MemoryShortfall.self) {
            try Self.model.checkFits(Self.request(batch: 64, .vanilla), weights: Self.weights, limit: .option(Self.gib))
        }
        let one = Self.model.peakBytes(small, weights: Self.weights)
        #expect(Self.model.peakBytes(Self.request(batch: 2, .flash, size: 256), weights: Self.weights) > one)
        #expect(Self.model.peakBytes(Self.request(batch: 1, .flash, size: 512), weights: Self.weights) > one)
    }

    /// A smaller size suggested when it alone fits, else size and batch together, else more memory.
    @Test func sizeAdvice() throws {
        let asked = Self.request(batch: 1, .flash, size: 1024), weights = WeightFootprint.bytes(4 * Self.gib)
        let at768 = Self.model.peakBytes(Self.request(batch: 1, .flash, size: 768), weights: weights)
        let shortfall = try #require(Self.model.shortfall(asked, weights: weights,
                                                          limit: MemoryLimit(bytes: at768, source: .addressSpace)))
        #expect(shortfall.suggestions == ["a size of 768×768"])
        let tight = try #require(Self.model.shortfall(asked, weights: weights,
                                                      limit: MemoryLimit(bytes: 4 * Self.gib + (1 << 20), source: .addressSpace)))
        #expect(tight.suggestions == ["a smaller size and batch"])
        #expect(tight.description.hasSuffix("more than the limit of 4.00 GiB (RLIMIT_AS); try a smaller size and batch"))
        let tiny = try #require(Self.model.shortfall(asked, weights: weights, limit: .option(1 << 20)))
        #expect(tiny.suggestions == ["more memory: the weights alone take 4.00 GiB", "a larger --memory-limit if the machine has it"])
    }

    /// The attention a processor name means: `sdpa(…)` names the kernel list it was built with.
    @Test func attentionFromProcessorName() {
        #expect(MemoryAttention(processorName: "vanilla") == MemoryAttention(.vanilla))
        #expect(MemoryAttention(processorName: "sliced(2)") == MemoryAttention(.sliced, slices: 2))
        #expect(MemoryAttention(processorName: ScaledDotProductAttention(priority: [.math]).name) == MemoryAttention(.math))
        #expect(MemoryAttention(processorName: AttentionChoice.memoryEfficient.processor.name) == MemoryAttention(.memoryEfficient))
        #expect(MemoryAttention(processorName: "sdpa") == MemoryAttention(.flash))
        #expect(MemoryAttention(processorName: nil) == MemoryAttention(.flash))
        #expect(MemoryAttention(processorName: "sdpa(flash,math)") == MemoryAttention(.flash))
        // Two slices hold twice one slice's scores; vanilla all of them.
        let one = MemoryAttention(.sliced).scoreBytes(batch: 2, heads: 8, queries: 4096, keys: 4096)
        #expect(MemoryAttention(.sliced, slices: 2).scoreBytes(batch: 2, heads: 8, queries: 4096, keys: 4096) == 2 * one)
        #expect(MemoryAttention(.vanilla).scoreBytes(batch: 2, heads: 8, queries: 4096, keys: 4096) == 16 * one)
    }
}
