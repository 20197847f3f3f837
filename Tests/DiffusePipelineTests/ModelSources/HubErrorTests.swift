import DiffuseSources
import Foundation
import Testing
import DiffusePipeline

/// What the hub (or its absence) can do wrong: each gives one clear `ModelSourceError` and leaves no
/// file in the cache that could pass for complete.
@Suite("Hub download errors")
struct HubErrorTests {
    /// Nothing in the cache but lock files and `.incomplete` downloads.
    static func nothingLooksComplete(_ bed: HubTestBed) -> Bool {
        !bed.listing().contains { $0.hasPrefix("refs/") || $0.hasPrefix("snapshots/") && $0.hasSuffix(".safetensors") }
            && !bed.listing().contains { $0.hasPrefix("blobs/") && !$0.hasSuffix(".incomplete") && $0.count == 6 + 64 }
    }

    @Test func offlineMakesNoRequest() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let error = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/tiny-sd1", environment: bed.offline) }
        #expect(error?.kind == .notCached)
        #expect(error?.description.contains("HF_HUB_OFFLINE is set") == true)
        #expect(bed.server.requests.isEmpty)
    }

    @Test func unreachableHubSaysSoAndHowToFetch() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        // Port 1: privileged, so no test server can be listening there; the connection is refused.
        let environment = bed.environment.merging(["HF_ENDPOINT": "http://127.0.0.1:1/"]) { $1 }
        let error = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/tiny-sd1", environment: environment) }
        #expect(error?.kind == .notCached)
        let text = error?.description ?? ""
        #expect(text.contains("could not reach http://127.0.0.1:1 ("))
        #expect(text.contains("not in the Hugging Face cache"))
        #expect(text.contains("huggingface-cli download org/tiny-sd1"))
    }

    @Test func gatedRepoNeedsToken() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        bed.hub.token = "hf_secret"
        let error = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/tiny-sd1", environment: bed.environment) }
        #expect(error?.kind == .unauthorized)
        #expect(error?.description.contains("answered 401") == true)
        #expect(error?.description.contains("set HF_TOKEN") == true)
        let wrong = #expect(throws: ModelSourceError.self) {
            try ModelSource.resolve("org/tiny-sd1", environment: bed.environment.merging(["HF_TOKEN": "hf_wrong"]) { $1 })
        }
        #expect(wrong?.kind == .unauthorized)
        #expect(wrong?.description.contains("the token in HF_TOKEN has no access") == true)
        #expect(Self.nothingLooksComplete(bed))
        // The right token: sent as a bearer token, and the download completes.
        let path = try ModelSource.resolve("org/tiny-sd1", environment: bed.environment.merging(["HF_TOKEN": "hf_secret"]) { $1 })
        _ = try ModelFolder(path: path)
        #expect(bed.server.requests.last { $0.path.hasPrefix("/api/") }?.headers["authorization"] == "Bearer hf_secret")
        // Not to the CDN (another origin), as huggingface_hub.
        let cdn = bed.server.requests.filter { $0.path.hasPrefix("/cdn/") }
        #expect(cdn.count == 3 && cdn.allSatisfy { $0.headers["authorization"] == nil && $0.headers["host"]?.hasPrefix("localhost:") == true })
    }

    @Test func notOnHub() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let repo = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/missing", environment: bed.environment) }
        #expect(repo?.kind == .notOnHub)
        #expect(repo?.description.contains("answered 404, no repository org/missing") == true)
        let revision = #expect(throws: ModelSourceError.self) {
            try ModelSource.resolve("org/tiny-sd1", revision: "v9", environment: bed.environment)
        }
        #expect(revision?.kind == .notOnHub)
        #expect(revision?.description.contains("no such revision") == true)
        #expect(Self.nothingLooksComplete(bed))
    }

    @Test func garbageAnswers() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        bed.hub.garbageMetadata = true
        let html = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/tiny-sd1", environment: bed.environment) }
        #expect(html?.kind == .badResponse)
        #expect(html?.description.contains("not the hub's model info JSON") == true)
        #expect(html?.description.contains("hotel wifi") == true)
        bed.hub.garbageMetadata = false
        bed.hub.rawGarbage = true
        let raw = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/tiny-sd1", environment: bed.environment) }
        #expect(raw?.kind == .badResponse)
        #expect(Self.nothingLooksComplete(bed))
    }

    /// The etag becomes a file name in blobs/: one that could climb out of the cache is refused.
    @Test func hostileEtagIsRefused() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        for etag in ["\"../../../../escaped\"", "", "W/\"a/b\""] {
            bed.hub.badEtag = etag
            let error = #expect(throws: ModelSourceError.self) { try ModelSource.resolve("org/tiny-sd1", environment: bed.environment) }
            #expect(error?.kind == .badResponse, "\(etag)")
            #expect(error?.description.contains("an ETag header naming the file's blob") == true)
        }
        #expect(!FileManager.default.fileExists(atPath: bed.cache + "/escaped"))
        #expect(!FileManager.default.fileExists(atPath: bed.cache + "/../escaped"))
        #expect(Self.nothingLooksComplete(bed))
    }

    @Test func commitHashRevisionWritesNoRef() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let path = try ModelSource.resolve("org/tiny-sd1", revision: FakeHub.commit, environment: bed.environment)
        #expect(path == bed.snapshot)
        #expect(!bed.listing().contains { $0.hasPrefix("refs/") })
        #expect(bed.server.requests.first?.path == "/api/models/org/tiny-sd1/revision/\(FakeHub.commit)")
    }
}
