import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseTestSupport

/// Tiled and sliced VAE (`AutoencoderKL+Tiling.swift`) against diffusers' `enable_tiling()` +
/// `enable_slicing()` on tiny-sd1's VAE (Fixtures/vae-tiling/reference.safetensors: 32-pixel / 16-latent
/// tiles, so a 40×28 latent decodes as 4 × 3 overlapping tiles, edge tiles smaller, and an 80×56 image
/// encodes as 4 × 3). Tolerance: the untiled VAE's (`VAEFixtureTests`, 1e-4 relative + 1e-4 of the peak):
/// each tile is an ordinary decode, and the blend is two f32 products and a sum per value, in torch's order.
@Suite struct VAETilingTests {
    static func reference() throws -> SafeTensorsFile {
        try SafeTensorsFile(path: FixturePaths.path("vae-tiling/reference.safetensors"))
    }

    @Test func tiledDecodeMatchesDiffusers() throws {
        let vae = try VAEFixture.model("tiny-sd1")
        let ref = try Self.reference()
        let latents = try ref.tensor("decode.latents")
        let expected = try ref.tensor("decode.out")
        let tiled = try vae.decode(latents, tiling: VAETiling(config: vae.config))
        #expect(tiled.shape == [2, 3, 80, 56])
        let report = VAEFixtureTests.compare(tiled, expected)
        print("tiled decode: \(report)")
        #expect(report.passes, "\(report)")
        // The untiled decode differs (each tile normalises alone): the fixture really exercises tiling.
        let whole = VAEFixtureTests.compare(try vae.decode(latents), expected)
        #expect(!whole.passes, "the untiled decode should differ from the tiled reference")
    }

    @Test func tiledEncodeMatchesDiffusers() throws {
        let vae = try VAEFixture.model("tiny-sd1")
        let ref = try Self.reference()
        let posterior = try vae.latentDistribution(try ref.tensor("encode.image"), tiling: VAETiling(config: vae.config))
        for (name, actual) in [("mean", posterior.mean), ("logvar", posterior.logvar)] {
            let report = VAEFixtureTests.compare(actual, try ref.tensor("encode.\(name)"))
            print("tiled encode \(name): \(report)")
            #expect(report.passes, "\(name): \(report)")
        }
    }

    /// A latent no larger than one tile decodes whole (diffusers' `_decode` tiles only larger ones).
    @Test func smallLatentsAreNotTiled() throws {
        let vae = try VAEFixture.model("tiny-sd1")
        let z = try Self.reference().tensor("decode.latents").sliced(dim: 0, 0..<1).sliced(dim: 2, 0..<16).sliced(dim: 3, 0..<16)
        let contiguous = CPUBackend().contiguous(z)
        #expect(try vae.decode(contiguous, tiling: VAETiling(config: vae.config)).floats() == (try vae.decode(contiguous)).floats())
    }
}
