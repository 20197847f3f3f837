import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// Opt-in check of a full-size VAE (not committed: 335 MB). Set `DIFFUSE_VAE_CHECK_DIR` to a folder
/// holding `vae/` (a diffusers `save_pretrained` AutoencoderKL, e.g. the SD 1.5 config
/// `Fixtures/configs/sd15/vae.json` with seeded random weights) and `reference.safetensors` with
/// `decode.input` / `decode.expected` and `encode.input` / `encode.mean` / `encode.logvar` computed by
/// diffusers in f32 (`vae.decode(z).sample`, `vae.encode(x).latent_dist.{mean,logvar}`):
///
///     <venv>/bin/python Scripts/full_size_vae.py /tmp/vaecheck
///     DIFFUSE_VAE_CHECK_DIR=/tmp/vaecheck swift test --filter VAEFullSize
///
/// This exercises what the tiny fixtures do not: four blocks, two resnets per block (three in the
/// decoder), 32 groups, 512-channel attention, three down/up-samplings, batch 2 and non-square sizes.
/// Tolerance as in `VAEFixtureTests` (1e-4 relative + 1e-4 of max|e|): longer chains, same f32 rounding.
@Suite(.enabled(if: vaeCheckDirectory != nil, "set DIFFUSE_VAE_CHECK_DIR to run"))
struct VAEFullSizeTests {
    @Test func fullSizeVAEMatchesDiffusers() throws {
        let dir = try #require(vaeCheckDirectory)
        let vae = try AutoencoderKL(directory: dir + "/vae", backend: CPUBackend())
        let reference = try SafeTensorsFile(path: dir + "/reference.safetensors")
        let image = try vae.decode(try reference.tensor("decode.input"))
        let checks = [("decode", image, "decode.expected")]
        let (mean, logvar) = try vae.encode(try reference.tensor("encode.input"))
        for (name, actual, key) in checks + [("mean", mean, "encode.mean"), ("logvar", logvar, "encode.logvar")] {
            let report = VAEFixtureTests.compare(actual, try reference.tensor(key))
            print("VAE full size \(name): \(report)")
            #expect(report.passes, "\(name): \(report)")
        }
    }
}

private let vaeCheckDirectory: String? = getenv("DIFFUSE_VAE_CHECK_DIR").map { String(cString: $0) }

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
