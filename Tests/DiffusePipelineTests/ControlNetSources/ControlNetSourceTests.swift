@testable import DiffuseSources
import Foundation
import Testing
import DiffuseCore
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// `--controlnet DIR | org/name`: diffusers ControlNet folders, and hub repositories from a fake hub into the
/// Hugging Face cache, then from the cache.
@Suite struct ControlNetSourceTests {
    static let name = "tiny-sd1-controlnet-a"

    @Test func folder() throws {
        let path = ControlNetSourceSingleFileTests.folder(Self.name)
        let (net, resolved) = try ModelSource.openControlNet(path + "/")
        #expect(resolved == ResolvedModel(path: path + "/", origin: .folder, model: path + "/"))
        #expect(net.path == path)
        #expect(net.config == (try ControlNetConfig(contentsOfFile: path + "/config.json")))
        guard case .folder(let files) = net.weights else { Issue.record("\(net.weights)"); return }
        #expect(files.files == ControlNetSourceSingleFileTests.folderWeights(Self.name))
        let compared = try SingleFileFixture.expectSameTensors(files.files, try net.weightStore(dtype: nil), path)
        #expect(compared == 170)
    }

    /// A folder (or repository) with only `diffusion_pytorch_model.fp16.safetensors` uses those weights.
    @Test func folderWithOnlyFP16Weights() throws {
        let tmp = try SingleFileTempDirectory()
        let source = ControlNetSourceSingleFileTests.folder(Self.name)
        try FileManager.default.copyItem(atPath: source + "/config.json", toPath: tmp.path + "/config.json")
        try FileManager.default.copyItem(atPath: source + "/diffusion_pytorch_model.safetensors",
                                         toPath: tmp.path + "/diffusion_pytorch_model.fp16.safetensors")
        let (net, _) = try ModelSource.openControlNet(tmp.path)
        guard case .folder(let files) = net.weights else { Issue.record("\(net.weights)"); return }
        #expect(files.files == [tmp.path + "/diffusion_pytorch_model.fp16.safetensors"] && files.variant == "fp16")
    }

    @Test func hubDownloadThenCache() throws {
        let hub = try HubTestBed(repo: try .controlNet("org/tiny-controlnet", fixture: Self.name))
        defer { hub.close() }
        let (net, resolved) = try ModelSource.openControlNet("org/tiny-controlnet", environment: hub.environment)
        #expect(resolved.path == hub.snapshot && net.path == hub.snapshot)
        guard case let .downloaded(_, _, commit, files, _) = resolved.origin else {
            Issue.record("expected a download, got \(resolved.origin)"); return
        }
        #expect(commit == FakeHub.commit && files == 2)
        // What ControlNetModel.from_pretrained reads: not the fp16 variant, not the .bin copy, not the README.
        #expect(hub.resolvedFiles() == ["config.json", "diffusion_pytorch_model.safetensors"])
        #expect(net.config == (try ControlNetConfig(contentsOfFile: ControlNetSourceSingleFileTests.folder(Self.name) + "/config.json"))
                .withSource(hub.snapshot + "/config.json"))
        _ = try SingleFileFixture.expectSameTensors(ControlNetSourceSingleFileTests.folderWeights(Self.name), try net.weightStore(dtype: nil), "hub")

        // Again: from the cache without a request; and offline.
        let before = hub.server.requests.count
        let (_, again) = try ModelSource.openControlNet("org/tiny-controlnet", environment: hub.environment)
        #expect(again.origin == .hubCache(cache: hub.cache, commit: FakeHub.commit))
        #expect(hub.server.requests.count == before)
        #expect(try ModelSource.openControlNet("org/tiny-controlnet", environment: hub.offline).controlNet.path == hub.snapshot)
    }

    @Test func hubRepositoryWithOnlyFP16Weights() throws {
        let hub = try HubTestBed(repo: try .controlNet("org/tiny-controlnet", fixture: Self.name, fp16Only: true))
        defer { hub.close() }
        let (net, _) = try ModelSource.openControlNet("org/tiny-controlnet", environment: hub.environment)
        #expect(hub.resolvedFiles() == ["config.json", "diffusion_pytorch_model.fp16.safetensors"])
        guard case .folder(let files) = net.weights else { Issue.record("\(net.weights)"); return }
        #expect(files.variant == "fp16")
    }

    /// Repositories that hold no diffusers ControlNet at their root are named before anything is downloaded.
    @Test(arguments: [
        (["model_index.json", "unet/config.json"], "is a pipeline repository (model_index.json), not a ControlNet"),
        (["model_index.json", "controlnet/config.json"], "give the path of its controlnet/ folder"),
        (["control_v11p_sd15_canny_fp16.safetensors", "README.md"], "download the file and pass its path"),
    ])
    func hubRepositoryWithoutAControlNet(_ names: [String], _ expected: String) throws {
        let hub = try HubTestBed(repo: .files(id: "org/not-a-controlnet", Dictionary(uniqueKeysWithValues: names.map { ($0, Data("{}".utf8)) })))
        defer { hub.close() }
        let error = try #require(throws: ModelSourceError.self) {
            _ = try ModelSource.openControlNet("org/not-a-controlnet", environment: hub.environment)
        }
        #expect(error.kind == .incompleteRepo && error.description.contains(expected), "\(error)")
        #expect(hub.resolvedFiles().isEmpty)
        let offline = try #require(throws: ModelSourceError.self) {
            _ = try ModelSource.openControlNet("org/not-cached", environment: hub.offline)
        }
        #expect(offline.kind == .notCached)
    }

    /// The location line of a recognised single file names the standard config.
    @Test func recognisedLocation() {
        let resolved = ResolvedModel(path: "/m/cn.safetensors",
                                     origin: .singleFile(configs: "the standard SD 1.5 ControlNet config, as lllyasviel/control_v11p_sd15_canny's", recognised: true),
                                     model: "/m/cn.safetensors")
        #expect(resolved.location.contains("recognised from the tensor shapes (the standard SD 1.5 ControlNet config"))
    }
}

extension ControlNetConfig {
    func withSource(_ file: String) -> ControlNetConfig {
        var copy = self
        copy.sourceFile = file
        return copy
    }
}
