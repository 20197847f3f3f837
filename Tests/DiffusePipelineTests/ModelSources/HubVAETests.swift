@testable import DiffuseSources
import Foundation
import Testing
import DiffuseCore
import DiffuseModels
import DiffusePipeline
import DiffuseTestSupport

/// `--vae org/name`: a VAE repository (config.json and weights at its root, as madebyollin/taesd) from a fake
/// hub on 127.0.0.1 into the Hugging Face cache, then from the cache; what is taken and what is refused.
@Suite("VAE repositories from the hub")
struct HubVAETests {
    @Test func downloadsConfigAndWeightsThenCacheHit() throws {
        let bed = try HubTestBed(repo: .tinyTAESD)
        defer { bed.close() }
        let (folder, resolved) = try ModelSource.openVAE("org/tiny-taesd", environment: bed.environment)
        #expect(resolved.path == bed.snapshot && folder.path == bed.snapshot)
        guard case let .downloaded(_, _, commit, files, _) = resolved.origin else {
            Issue.record("expected a download, got \(resolved.origin)"); return
        }
        #expect(commit == FakeHub.commit && files == 2)
        // Only what AutoencoderTiny.from_pretrained reads: not the original-format decoder, not the README.
        #expect(bed.resolvedFiles() == ["config.json", "diffusion_pytorch_model.safetensors"])
        guard case .autoencoderTiny(let config) = folder.config else { Issue.record("\(folder.config)"); return }
        #expect(config == (try AutoencoderTinyConfig(contentsOfFile: FixturePaths.path("tiny-taesd/config.json")))
                .with(sourceFile: bed.snapshot + "/config.json"))
        #expect(folder.weights.files == [bed.snapshot + "/diffusion_pytorch_model.safetensors"])

        // Again: from the cache, no request; and offline.
        let before = bed.server.requests.count
        let (_, again) = try ModelSource.openVAE("org/tiny-taesd", environment: bed.environment)
        #expect(again.origin == .hubCache(cache: bed.cache, commit: FakeHub.commit))
        #expect(bed.server.requests.count == before)
        #expect(try ModelSource.openVAE("org/tiny-taesd", environment: bed.offline).folder.path == bed.snapshot)

        // The downloaded VAE decodes as the fixture folder's does.
        let pipe = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd1"), vae: folder.path)
        var c = GenerationConfiguration(prompt: "a cat")
        c.steps = 2
        c.seed = 3
        let fixture = try PipelineFixture.pipeline("tiny-sd1", vae: "tiny-taesd")
        #expect(try pipe.generate(c).images.floats() == fixture.generate(c).images.floats())
    }

    /// A pipeline repository given as `--vae` is named as such before anything is downloaded.
    @Test func pipelineRepositoryIsRefused() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let error = try #require(throws: ModelSourceError.self) {
            _ = try ModelSource.openVAE("org/tiny-sd1", environment: bed.environment)
        }
        #expect(error.kind == .incompleteRepo && error.description.contains("is a pipeline repository (model_index.json)"))
        #expect(bed.resolvedFiles().isEmpty)
        let offline = try #require(throws: ModelSourceError.self) {
            _ = try ModelSource.openVAE("org/not-cached", environment: bed.offline)
        }
        #expect(offline.kind == .notCached)
    }

    /// What a VAE repository's listing gives (madebyollin/taesd's files, and variations).
    @Test func componentSelection() throws {
        let taesd = ["README.md", "config.json", "diffusion_pytorch_model.bin", "diffusion_pytorch_model.safetensors",
                     "taesd_decoder.pth", "taesd_decoder.safetensors", "taesd_encoder.pth", "taesd_encoder.safetensors"]
        let plain = try HubFileSelection.selectComponent(siblings: taesd, variant: nil, model: "o/n", revision: "main")
        #expect(plain.files == ["config.json", "diffusion_pytorch_model.safetensors"] && plain.shardIndexes.isEmpty)
        let sharded = ["config.json", "diffusion_pytorch_model.safetensors.index.json",
                       "diffusion_pytorch_model-00001-of-00002.safetensors", "diffusion_pytorch_model-00002-of-00002.safetensors"]
        let shards = try HubFileSelection.selectComponent(siblings: sharded, variant: nil, model: "o/n", revision: "main")
        #expect(shards.shardIndexes == ["diffusion_pytorch_model.safetensors.index.json"])
        func error(_ siblings: [String]) -> String {
            do { _ = try HubFileSelection.selectComponent(siblings: siblings, variant: nil, model: "o/n", revision: "main"); return "" }
            catch { return "\(error)" }
        }
        #expect(error(["config.json", "diffusion_pytorch_model.bin", "vae/diffusion_pytorch_model.safetensors"])
                == "o/n: revision \"main\" on the hub has no weights (diffusion_pytorch_model.safetensors): only diffusion_pytorch_model.bin")
        #expect(error(["taesd_decoder.safetensors"]).contains("has no config.json at its root: not a diffusers VAE repository"))
    }
}

extension AutoencoderTinyConfig {
    func with(sourceFile: String) -> AutoencoderTinyConfig {
        var copy = self
        copy.sourceFile = sourceFile
        return copy
    }
}
