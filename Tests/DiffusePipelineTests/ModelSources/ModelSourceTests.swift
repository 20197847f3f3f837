#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseSources
import Testing
import DiffusePipeline
import DiffuseTestSupport

/// A Hugging Face hub cache built in a temporary folder exactly as huggingface_hub lays it out:
///
///     <root>/models--org--tiny-sd1/blobs/<etag>                   the file contents
///     <root>/models--org--tiny-sd1/refs/main                      commit hash (no newline)
///     <root>/models--org--tiny-sd1/refs/v1.0                      a second ref (an older commit)
///     <root>/models--org--tiny-sd1/snapshots/<hash>/unet/config.json → ../../../blobs/<etag>
struct HubCacheFixture {
    static let mainHash = "0123456789abcdef0123456789abcdef01234567"
    static let tagHash = "89abcdef0123456789abcdef0123456789abcdef"
    static let files = ["model_index.json", "scheduler", "text_encoder", "tokenizer", "unet", "vae"]

    let root: String
    var repo: String { root + "/models--org--tiny-sd1" }

    init() throws {
        let fm = FileManager.default
        root = fm.temporaryDirectory.path + "/diffuse-hfcache-" + String(UInt64.random(in: 0..<UInt64.max), radix: 16)
        let repo = root + "/models--org--tiny-sd1"
        try fm.createDirectory(atPath: repo + "/blobs", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: repo + "/refs", withIntermediateDirectories: true)
        try Data(Self.mainHash.utf8).write(to: URL(fileURLWithPath: repo + "/refs/main"))
        try Data(Self.tagHash.utf8).write(to: URL(fileURLWithPath: repo + "/refs/v1.0"))
        let source = FixturePaths.path("tiny-sd1")
        var relative: [String] = []
        for entry in Self.files {
            if ModelSourceTests.isDirectory(source + "/" + entry) {
                for sub in try fm.subpathsOfDirectory(atPath: source + "/" + entry).sorted()
                where !ModelSourceTests.isDirectory(source + "/" + entry + "/" + sub) {
                    relative.append(entry + "/" + sub)
                }
            } else {
                relative.append(entry)
            }
        }
        for hash in [Self.mainHash, Self.tagHash] {
            let snapshot = repo + "/snapshots/" + hash
            for (i, file) in relative.enumerated() {
                // Blob names are etags (sha256 for LFS files, git sha1 otherwise); any unique hex will do.
                let hex = String(i, radix: 16)
                let blob = String(repeating: "0", count: 64 - hex.count) + hex
                let blobPath = repo + "/blobs/" + blob
                if !fm.fileExists(atPath: blobPath) {
                    // Contents, not the file itself: some fixture files are symlinks.
                    try Data(contentsOf: URL(fileURLWithPath: source + "/" + file)).write(to: URL(fileURLWithPath: blobPath))
                }
                let depth = file.split(separator: "/").count - 1
                let link = String(repeating: "../", count: 2 + depth) + "blobs/" + blob
                let target = snapshot + "/" + file
                try fm.createDirectory(atPath: String(target[..<target.lastIndex(of: "/")!]), withIntermediateDirectories: true)
                try fm.createSymbolicLink(atPath: target, withDestinationPath: link)
            }
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

@Suite("ModelSource: --model folder or hub id from the Hugging Face cache (offline)")
struct ModelSourceTests {
    static func isDirectory(_ path: String) -> Bool {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) != nil
    }

    @Test func folderResolvesToItself() throws {
        let path = FixturePaths.path("tiny-sd1")
        #expect(try ModelSource.resolve(path, environment: [:]) == path)
        let resolved = try ModelSource.locate(path, variant: "fp16", environment: [:])
        #expect(resolved.origin == .folder)
        #expect(resolved.location == "folder " + path)
    }

    @Test func hubIDByMainRefLoads() throws {
        let cache = try HubCacheFixture()
        defer { cache.remove() }
        let path = try ModelSource.resolve("org/tiny-sd1", environment: ["HF_HUB_CACHE": cache.root])
        #expect(path == cache.repo + "/snapshots/" + HubCacheFixture.mainHash)
        let resolved = try ModelSource.locate("org/tiny-sd1", environment: ["HF_HUB_CACHE": cache.root])
        #expect(resolved.origin == .hubCache(cache: cache.root, commit: HubCacheFixture.mainHash))
        #expect(resolved.location.hasPrefix("Hugging Face cache \(cache.root), snapshot \(HubCacheFixture.mainHash)"))
        let folder = try ModelFolder(path: path)
        #expect(folder.modelIndex.className == "StableDiffusionPipeline")
        try folder.validateSupported()
    }

    @Test func hubIDBySecondRefAndByHash() throws {
        let cache = try HubCacheFixture()
        defer { cache.remove() }
        let env = ["HF_HUB_CACHE": cache.root]
        #expect(try ModelSource.resolve("org/tiny-sd1", revision: "v1.0", environment: env)
                == cache.repo + "/snapshots/" + HubCacheFixture.tagHash)
        let byHash = try ModelSource.resolve("org/tiny-sd1", revision: HubCacheFixture.tagHash, environment: env)
        #expect(byHash == cache.repo + "/snapshots/" + HubCacheFixture.tagHash)
        _ = try ModelFolder(path: byHash)
    }

    @Test func cacheRootPrecedence() throws {
        #expect(ModelSource.cacheRoot(environment: ["HF_HUB_CACHE": "/a", "HF_HOME": "/b", "HOME": "/c"]) == "/a")
        #expect(ModelSource.cacheRoot(environment: ["HF_HOME": "/b", "HOME": "/c"]) == "/b/hub")
        #expect(ModelSource.cacheRoot(environment: ["HOME": "/c"]) == "/c/.cache/huggingface/hub")

        let cache = try HubCacheFixture()
        defer { cache.remove() }
        // HF_HUB_CACHE wins over HF_HOME; HF_HOME/hub used when HF_HUB_CACHE is absent.
        let parent = String(cache.root[..<cache.root.lastIndex(of: "/")!])
        let home = parent + "/hfhome-" + String(UInt64.random(in: 0..<UInt64.max), radix: 16)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createSymbolicLink(atPath: home + "/hub", withDestinationPath: cache.root)
        let viaHome = try ModelSource.resolve("org/tiny-sd1", environment: ["HF_HOME": home])
        #expect(viaHome == home + "/hub/models--org--tiny-sd1/snapshots/" + HubCacheFixture.mainHash)
        _ = try ModelFolder(path: viaHome)
        let error = #expect(throws: ModelSourceError.self) {
            try ModelSource.resolve("org/tiny-sd1", environment: ["HF_HUB_CACHE": home + "/empty", "HF_HOME": home, "HF_HUB_OFFLINE": "1"])
        }
        #expect(error?.kind == .notCached)
        #expect(error?.description.contains(home + "/empty/models--org--tiny-sd1") == true)
    }

    @Test func notAFolderNorHubID() {
        for bad in ["/no/such/folder", "no-slash", "../etc", "./x/y", "~/x"] {
            let error = #expect(throws: ModelSourceError.self) { try ModelSource.resolve(bad, environment: [:]) }
            #expect(error?.kind == .notFound, "\(bad)")
            #expect(error?.description.contains("no such folder, and not a Hugging Face hub id") == true)
        }
        let illegal = ["a/b/c": "exactly one /", "org/../x": "path traversal", "org/na me": "character \" \"",
                       "org/-x": "starts or ends", "org/a--b": "\"--\"", "org/x\u{0}": "character", "org/": "empty"]
        for (bad, reason) in illegal {
            let error = #expect(throws: ModelSourceError.self) { try ModelSource.resolve(bad, environment: [:]) }
            #expect(error?.kind == .invalidID, "\(bad)")
            #expect(error?.description.contains("not a valid Hugging Face hub id: ") == true)
            #expect(error?.description.contains(reason) == true, "\(bad): \(error?.description ?? "")")
        }
        // Revisions and variants end up in cache paths: no climbing out.
        for revision in ["../../etc", "/abs", "a b", "x\\y", "refs/../../x", ""] {
            let error = #expect(throws: ModelSourceError.self) {
                try ModelSource.resolve("org/tiny-sd1", revision: revision, environment: [:])
            }
            #expect(error?.kind == .invalidID, "\(revision)")
            #expect(error?.description.contains("--revision") == true)
        }
        for variant in ["../x", "fp 16", ""] {
            let error = #expect(throws: ModelSourceError.self) {
                try ModelSource.resolve("org/tiny-sd1", variant: variant, environment: [:])
            }
            #expect(error?.kind == .invalidID, "\(variant)")
        }
    }

    @Test func hubIDNotCached() throws {
        let cache = try HubCacheFixture()
        defer { cache.remove() }
        for offline in ["1", "true", "YES", "on"] {
            let error = #expect(throws: ModelSourceError.self) {
                try ModelSource.resolve("org/other", environment: ["HF_HUB_CACHE": cache.root, "HF_HUB_OFFLINE": offline])
            }
            #expect(error?.kind == .notCached)
            let text = error?.description ?? ""
            #expect(text.contains(cache.root + "/models--org--other"))
            #expect(text.contains("HF_HUB_OFFLINE is set, so nothing is downloaded"))
            #expect(text.contains("huggingface-cli download org/other"))
        }
    }

    @Test func revisionNotFoundListsRefs() throws {
        let cache = try HubCacheFixture()
        defer { cache.remove() }
        let error = #expect(throws: ModelSourceError.self) {
            try ModelSource.resolve("org/tiny-sd1", revision: "dev", environment: ["HF_HUB_CACHE": cache.root, "HF_HUB_OFFLINE": "1"])
        }
        #expect(error?.kind == .revisionNotFound)
        let text = error?.description ?? ""
        #expect(text.contains("\"dev\""))
        #expect(text.contains("main, v1.0"))
    }

    @Test func snapshotMissing() throws {
        let cache = try HubCacheFixture()
        defer { cache.remove() }
        let env = ["HF_HUB_CACHE": cache.root, "HF_HUB_OFFLINE": "1"]
        let other = "fedcba9876543210fedcba9876543210fedcba98"
        try Data(other.utf8).write(to: URL(fileURLWithPath: cache.repo + "/refs/broken"))
        for revision in ["broken", other] {
            let error = #expect(throws: ModelSourceError.self) {
                try ModelSource.resolve("org/tiny-sd1", revision: revision, environment: env)
            }
            #expect(error?.kind == .snapshotMissing)
            #expect(error?.description.contains(cache.repo + "/snapshots/" + other) == true)
        }
    }
}
