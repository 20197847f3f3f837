import Testing
import DiffuseCore
import DiffuseCPU
import DiffusePipeline

/// `PrecisionPolicy`: the one place deciding each weight's dtype and each component's backend.
@Suite struct PrecisionPolicyTests {
    @Test func storageDTypes() {
        let f16 = PrecisionPolicy(.f16), bf16 = PrecisionPolicy(.bf16, bf16Accelerated: true)
        let f32 = PrecisionPolicy(.f32)
        // Matrices in the reduced dtype; the VAE stays f32 in bf16 mode.
        #expect(f16.storageDType(.unet, key: "conv_in.weight", shape: [320, 4, 3, 3], stored: .f32) == .f16)
        #expect(bf16.storageDType(.unet, key: "conv_in.weight", shape: [320, 4, 3, 3], stored: .f16) == .bf16)
        #expect(f16.storageDType(.vae, key: "decoder.conv_in.weight", shape: [512, 4, 3, 3], stored: .f32) == .f16)
        #expect(bf16.storageDType(.vae, key: "decoder.conv_in.weight", shape: [512, 4, 3, 3], stored: .bf16) == .f32)
        // Vectors and the position table f32, integers as stored, f32 mode all f32.
        #expect(f16.storageDType(.unet, key: "conv_in.bias", shape: [320], stored: .f16) == .f32)
        #expect(bf16.storageDType(.textEncoder, key: "text_model.final_layer_norm.weight", shape: [768], stored: .f32) == .f32)
        #expect(f16.storageDType(.textEncoder, key: "text_model.embeddings.position_embedding.weight",
                                 shape: [77, 768], stored: .f16) == .f32)
        #expect(f16.storageDType(.textEncoder, key: "text_model.embeddings.token_embedding.weight",
                                 shape: [49408, 768], stored: .f32) == .f16)
        #expect(f16.storageDType(.textEncoder, key: "text_model.embeddings.position_ids", shape: [1, 77], stored: .i64) == .i64)
        #expect(f32.storageDType(.unet, key: "conv_in.weight", shape: [320, 4, 3, 3], stored: .bf16) == .f32)
        // bf16 mode: text encoders stored in f16 stay f16 (mapped, released after the prompt); f32 ones → bf16.
        let q = "text_model.encoder.layers.0.self_attn.q_proj.weight"
        #expect(bf16.storageDType(.textEncoder2, key: q, shape: [1280, 1280], stored: .f16) == .f16)
        #expect(bf16.storageDType(.textEncoder, key: q, shape: [768, 768], stored: .f16) == .f16)
        #expect(bf16.storageDType(.textEncoder2, key: q, shape: [1280, 1280], stored: .f32) == .bf16)
    }

    @Test func backendsAndBytes() {
        let accelerated = PrecisionPolicy(.bf16, bf16Accelerated: true)
        let plain = PrecisionPolicy(.bf16, bf16Accelerated: false)
        let base = CPUBackend()
        #expect(accelerated.backend(for: .unet, on: base) is BF16GEMMBackend)
        #expect(accelerated.backend(for: .textEncoder, on: base) is BF16GEMMBackend)
        #expect(accelerated.backend(for: .vae, on: base) is CPUBackend)
        #expect(plain.backend(for: .unet, on: base) is CPUBackend)
        #expect(PrecisionPolicy(.f16).backend(for: .unet, on: base) is CPUBackend)
        // bf16 weights plus the kernel's packed copy; the VAE's f32 weights.
        #expect(accelerated.weightBytes(.unet, parameters: 1000) == 4000)
        #expect(plain.weightBytes(.unet, parameters: 1000) == 2000)
        #expect(accelerated.weightBytes(.vae, parameters: 1000) == 4000)
        #expect(PrecisionPolicy(.f16).weightBytes(.vae, parameters: 1000) == 2000)
        // The packed copies share the cache's capacity: beyond it, the rest is packed per call.
        let capped = PrecisionPolicy(.bf16, bf16Accelerated: true, packedCapacityBytes: 3000)
        #expect(capped.weightBytes(.unet, parameters: 1000) == 4000 && capped.weightBytes(.unet, parameters: 2000) == 7000)
        let footprint = WeightFootprint.parameters(unet: 1000, textEncoder: 1000, vae: 1000)
        #expect(footprint.bytes(.pipeline, policy: capped) == 2000 + 2000 + 4000 + 3000)
        #expect(footprint.bytes(.unet, policy: capped) == 2000 + 2000)
        #expect(PrecisionPolicy(.f32).computeDType == .f32 && accelerated.computeDType == .f32)
    }
}
