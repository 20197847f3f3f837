import DiffuseSources
import Foundation
import Testing
import DiffuseCore
import DiffusePipeline

/// `--model org/name` downloads from a fake hub on 127.0.0.1 (no network): the cache layout written,
/// what is and is not fetched, resume, checksums, and every error the hub can cause.
@Suite("Hub downloads into the Hugging Face cache")
struct HubDownloadTests {
    static let needed = [
        "model_index.json", "scheduler/scheduler_config.json", "text_encoder/config.json",
        "text_encoder/model.safetensors", "tokenizer/merges.txt", "tokenizer/special_tokens_map.json",
        "tokenizer/tokenizer_config.json", "tokenizer/vocab.json", "unet/config.json",
        "unet/diffusion_pytorch_model.safetensors", "vae/config.json", "vae/diffusion_pytorch_model.safetensors",
    ]

    @Test func downloadsLayoutThenCacheHit() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let lines = LineSink()
        let progress = DownloadProgress(isTerminal: false) { lines.append($0) }
        let resolved = try ModelSource.locate("org/tiny-sd1", environment: bed.environment, progress: progress)
        #expect(resolved.path == bed.snapshot)
        guard case let .downloaded(endpoint, cache, commit, files, bytes) = resolved.origin else {
            Issue.record("expected a download, got \(resolved.origin)"); return
        }
        #expect(endpoint == bed.server.base && cache == bed.cache && commit == FakeHub.commit)
        #expect(files == Self.needed.count)
        #expect(bytes == Self.needed.reduce(0) { $0 + bed.hub.files[$1]!.count })
        #expect(resolved.location.hasPrefix("downloaded from \(bed.server.base)/org/tiny-sd1 (12 files"))

        // Only the needed files were asked for: not the .bin, the fp16 variant or the README.
        #expect(bed.resolvedFiles() == Self.needed)
        // LFS files came through the 302 to the CDN path.
        #expect(bed.server.requests.filter { $0.path.hasPrefix("/cdn/") }.count == 3)

        // huggingface_hub's layout: refs/main = commit; blobs named by etag (sha256 for LFS) holding the
        // content; snapshot entries are relative symlinks (one more ../ per folder level).
        let fm = FileManager.default
        #expect(try String(contentsOfFile: bed.repo + "/refs/main", encoding: .utf8) == FakeHub.commit)
        for file in Self.needed {
            let etag = bed.hub.etag(file)
            let depth = file.split(separator: "/").count - 1
            #expect(try fm.destinationOfSymbolicLink(atPath: bed.snapshot + "/" + file)
                    == String(repeating: "../", count: 2 + depth) + "blobs/" + etag, "\(file)")
            #expect(fm.contents(atPath: bed.repo + "/blobs/" + etag) == bed.hub.files[file], "\(file)")
        }
        #expect(bed.hub.etag("unet/diffusion_pytorch_model.safetensors")
                == "bcad293a3bc3ee09987cff5dcdb7c54c97c7997c32b8cfb5f544655d5f4d6823")   // sha256sum of the fixture
        #expect(!bed.listing().contains { $0.hasSuffix(".incomplete") })

        let folder = try ModelFolder(path: resolved.path)
        try folder.validateSupported()
        #expect(folder.modelIndex.className == "StableDiffusionPipeline")

        // The progress bar printed each weight file with its size (not a terminal: plain lines).
        #expect(lines.text.contains("unet/diffusion_pytorch_model.safetensors  4.5 / 4.5 MB 100%"))
        #expect(lines.text.contains("MB/s"))

        // Again: from the cache, no request at all.
        let before = bed.server.requests.count
        let again = try ModelSource.locate("org/tiny-sd1", environment: bed.environment)
        #expect(again.origin == .hubCache(cache: bed.cache, commit: FakeHub.commit))
        #expect(again.location.contains("snapshot \(FakeHub.commit)"))
        #expect(bed.server.requests.count == before)
        // And offline, by ref name and by commit hash.
        #expect(try ModelSource.resolve("org/tiny-sd1", environment: bed.offline) == bed.snapshot)
        #expect(try ModelSource.resolve("org/tiny-sd1", revision: FakeHub.commit, environment: bed.offline) == bed.snapshot)
    }

    @Test func droppedConnectionResumes() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let unet = "unet/diffusion_pytorch_model.safetensors"
        bed.hub.dropOnce = [unet, "vae/diffusion_pytorch_model.safetensors"]
        let path = try ModelSource.resolve("org/tiny-sd1", environment: bed.environment)
        // The second GET of each dropped file asked for the rest only, from where the first stopped.
        let half = bed.hub.files[unet]!.count / 2
        let ranges = bed.server.requests.compactMap { $0.headers["range"] }
        #expect(ranges.contains("bytes=\(half)-"))
        #expect(ranges.count == 2)
        let blob = bed.repo + "/blobs/" + bed.hub.etag(unet)
        #expect(FileDigest.hex(ofFile: blob) == bed.hub.etag(unet))
        _ = try ModelFolder(path: path)
    }

    @Test func serverIgnoringRangeRestartsTheFile() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let unet = "unet/diffusion_pytorch_model.safetensors"
        bed.hub.dropOnce = [unet]
        bed.hub.ignoreRange = true
        _ = try ModelSource.resolve("org/tiny-sd1", environment: bed.environment)
        // The resumed GET got 200 and the whole file: the half already there was dropped, not doubled.
        #expect(bed.server.requests.contains { $0.headers["range"] != nil })
        #expect(FileDigest.hex(ofFile: bed.repo + "/blobs/" + bed.hub.etag(unet)) == bed.hub.etag(unet))
    }

    @Test func renamedRepoRedirectIsFollowed() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        // huggingface_hub caches under the id asked for, whatever the hub redirects to.
        let path = try ModelSource.resolve("old-org/tiny-sd1", environment: bed.environment)
        #expect(path == bed.cache + "/models--old-org--tiny-sd1/snapshots/" + FakeHub.commit)
        _ = try ModelFolder(path: path)
        #expect(bed.server.requests.contains { $0.path.hasPrefix("/old-org/tiny-sd1/resolve/") })
    }

    @Test func fp16VariantDownloadsOnlyItsWeights() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let path = try ModelSource.resolve("org/tiny-sd1", variant: "fp16", environment: bed.environment)
        let weights = bed.resolvedFiles().filter { $0.contains(".safetensors") }
        #expect(weights == ["text_encoder/model.fp16.safetensors", "unet/diffusion_pytorch_model.fp16.safetensors",
                            "vae/diffusion_pytorch_model.fp16.safetensors"])
        let folder = try ModelFolder(path: path, variant: "fp16")
        #expect(folder.unetWeights.files == [path + "/unet/diffusion_pytorch_model.fp16.safetensors"])
        // The default weights are not in the snapshot, so without --variant the cache is incomplete:
        // offline that is an error, online it downloads them.
        let error = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/tiny-sd1", environment: bed.offline) }
        #expect(error?.kind == .snapshotMissing)
        #expect(error?.description.contains("HF_HUB_OFFLINE is set") == true)
        _ = try ModelSource.resolve("org/tiny-sd1", environment: bed.environment)
        let variantError = #expect(throws: ModelSourceError.self) {
            try ModelSource.resolve("org/tiny-sd1", variant: "bf16", environment: bed.environment)
        }
        #expect(variantError?.kind == .incompleteRepo)
        #expect(variantError?.description.contains("no text_encoder weights of variant \"bf16\"") == true)
    }

    @Test func checksumMismatchDeletesTheDownload() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let file = "text_encoder/model.safetensors"
        bed.hub.corrupt = [file]
        let error = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/tiny-sd1", environment: bed.environment) }
        #expect(error?.kind == .checksumMismatch)
        #expect(error?.description.contains("the hub says \(bed.hub.etag(file))") == true)
        // Nothing of it is left, and nothing looks complete: no blob, no .incomplete, no link, no ref.
        let etag = bed.hub.etag(file)
        #expect(!bed.listing().contains { $0.contains(etag) && !$0.hasPrefix(".locks") })
        #expect(!FileManager.default.fileExists(atPath: bed.snapshot + "/" + file))
        #expect(!FileManager.default.fileExists(atPath: bed.repo + "/refs/main"))
        // Once the server is fixed, the next run completes.
        bed.hub.corrupt = []
        _ = try ModelFolder(path: ModelSource.resolve("org/tiny-sd1", environment: bed.environment))
    }

    /// Issue #20: a server that sends more than it announced is stopped at the announced size (not
    /// retried, nothing beyond it written), and the message says how to go on.
    @Test func moreBytesThanAnnouncedAreRefused() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let file = "vae/diffusion_pytorch_model.safetensors"
        bed.hub.overlong = [file]
        let error = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/tiny-sd1", environment: bed.environment) }
        #expect(error?.kind == .badResponse)
        #expect(error?.description.contains("the server sent more than the \(bed.hub.files[file]!.count) bytes it announced") == true,
                "\(String(describing: error))")
        #expect(error?.description.contains("run again to resume") == true)
        let blob = bed.repo + "/blobs/" + bed.hub.etag(file)
        #expect(!FileManager.default.fileExists(atPath: blob))
        let kept = try FileManager.default.attributesOfItem(atPath: blob + ".incomplete")[.size] as? Int
        #expect(kept.map { $0 <= bed.hub.files[file]!.count } == true)
        #expect(bed.server.requests.filter { $0.path.hasPrefix("/cdn/\(bed.hub.etag(file))") }.count == 1)
        // A server that behaves again: the next run completes.
        bed.hub.overlong = []
        _ = try ModelSource.resolve("org/tiny-sd1", environment: bed.environment)
        #expect(FileDigest.hex(ofFile: blob) == bed.hub.etag(file))
    }

    /// Issue #20: a transfer that stops sending (half the file, then nothing for a minute) is dropped after
    /// `HF_HUB_DOWNLOAD_TIMEOUT` seconds without a byte and resumed from what arrived.
    @Test func stalledTransferIsDroppedAndResumed() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let file = "unet/diffusion_pytorch_model.safetensors"
        bed.hub.stallOnce = [file]
        var environment = bed.environment
        environment["HF_HUB_DOWNLOAD_TIMEOUT"] = "1"
        let start = Date()
        _ = try ModelSource.resolve("org/tiny-sd1", environment: environment)
        #expect(Date().timeIntervalSince(start) < 20, "the stalled transfer was not dropped in time")
        let ranges = bed.server.requests.filter { $0.path == "/cdn/" + bed.hub.etag(file) }.compactMap { $0.headers["range"] }
        #expect(ranges.count == 1 && ranges[0] != "bytes=0-", "\(ranges)")
        #expect(FileDigest.hex(ofFile: bed.repo + "/blobs/" + bed.hub.etag(file)) == bed.hub.etag(file))
        let bad = #expect(throws: ModelSourceError.self) {
            var env = bed.environment
            env["HF_HUB_DOWNLOAD_TIMEOUT"] = "forever"
            try ModelSource.resolve("org/other", environment: env)
        }
        #expect(bad?.description.contains("HF_HUB_DOWNLOAD_TIMEOUT=forever is not a number of seconds") == true, "\(String(describing: bad))")
    }

    /// Issue #20: identity was asked for; a gzip-encoded answer is refused, not decoded.
    @Test func unaskedContentEncodingIsRefused() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let file = "unet/diffusion_pytorch_model.safetensors"
        bed.hub.encoded = [file]
        let error = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/tiny-sd1", environment: bed.environment) }
        #expect(error?.description.contains("gzip-encoded although identity was asked for") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: bed.repo + "/refs/main"))
    }

    @Test func truncatedDownloadKeepsOnlyTheIncompleteFile() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let file = "vae/diffusion_pytorch_model.safetensors"
        bed.hub.dropAlways = [file]
        let error = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/tiny-sd1", environment: bed.environment) }
        #expect(error?.kind == .badResponse)
        #expect(error?.description.contains("kept breaking off") == true)
        let blob = bed.repo + "/blobs/" + bed.hub.etag(file)
        #expect(!FileManager.default.fileExists(atPath: blob))
        let kept = try #require(try FileManager.default.attributesOfItem(atPath: blob + ".incomplete")[.size] as? Int)
        #expect(kept > 0 && kept < bed.hub.files[file]!.count)
        #expect(!FileManager.default.fileExists(atPath: bed.repo + "/refs/main"))
        // The next run resumes from the kept bytes and completes.
        bed.hub.dropAlways = []
        _ = try ModelSource.resolve("org/tiny-sd1", environment: bed.environment)
        #expect(bed.server.requests.last { $0.path.hasPrefix("/cdn/") }?.headers["range"] == "bytes=\(kept)-")
        #expect(FileDigest.hex(ofFile: blob) == bed.hub.etag(file))
    }

    @Test func danglingSymlinkOfflineIsAnErrorOnlineIsRepaired() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        _ = try ModelSource.resolve("org/tiny-sd1", environment: bed.environment)
        let file = "unet/config.json"
        try FileManager.default.removeItem(atPath: bed.repo + "/blobs/" + bed.hub.etag(file))
        let error = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/tiny-sd1", environment: bed.offline) }
        #expect(error?.kind == .danglingSymlink)
        #expect(error?.description.contains(file) == true)
        _ = try ModelFolder(path: ModelSource.resolve("org/tiny-sd1", environment: bed.environment))
        #expect(FileManager.default.contents(atPath: bed.snapshot + "/" + file) == bed.hub.files[file])
    }
}

/// Collects progress output (written from the URLSession queue).
final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var collected = ""
    func append(_ text: String) { lock.lock(); collected += text; lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return collected }
}
