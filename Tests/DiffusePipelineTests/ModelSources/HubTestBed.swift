import DiffuseSources
import Foundation
import DiffusePipeline

/// A fake hub on a local server plus an empty cache folder, and the environment that points
/// `ModelSource` at both.
final class HubTestBed {
    let hub: FakeHub
    let server: TestHTTPServer
    let cache: String

    init(repo: FakeHub.Repo = .tinySD1) throws {
        let hub = try FakeHub(repo: repo)
        self.hub = hub
        server = try TestHTTPServer { hub.handle($0) }
        cache = FileManager.default.temporaryDirectory.path + "/diffuse-hub-" + String(UInt64.random(in: 0..<UInt64.max), radix: 16)
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
    }

    var environment: [String: String] { ["HF_HUB_CACHE": cache, "HF_ENDPOINT": server.base] }
    var offline: [String: String] { environment.merging(["HF_HUB_OFFLINE": "1"]) { $1 } }
    var repo: String { cache + "/models--" + hub.id.replacingOccurrences(of: "/", with: "--") }
    var snapshot: String { repo + "/snapshots/" + FakeHub.commit }

    /// Paths (below the repo folder) of every file and link, sorted.
    func listing() -> [String] {
        ((try? FileManager.default.subpathsOfDirectory(atPath: repo)) ?? []).sorted()
    }

    /// The repository files requested through /resolve/ (HEAD or GET), sorted, without duplicates.
    func resolvedFiles() -> [String] {
        let prefix = "/\(hub.id)/resolve/"
        return Set(server.requests.compactMap { request -> String? in
            guard request.path.hasPrefix(prefix) else { return nil }
            let rest = request.path.dropFirst(prefix.count)
            return rest.firstIndex(of: "/").map { String(rest[rest.index(after: $0)...]) }
        }).sorted()
    }

    func close() {
        server.stop()
        try? FileManager.default.removeItem(atPath: cache)
    }
}
