@testable import DiffuseSources
import Foundation

/// A fake Hugging Face hub on 127.0.0.1 serving one repository `id` with `files` (as FakeHub does for
/// pipelines: `GET /api/models/<id>/revision/<rev>` lists the files; `HEAD|GET /<id>/resolve/<rev>/<file>`
/// answers LFS files — .safetensors, .bin — with a redirect to another origin's `/cdn/<sha256>` and
/// `X-Linked-Etag` / `X-Linked-Size`, the others directly), plus an empty cache folder and the environment
/// pointing `ModelSource` at both.
final class ControlNetHub: @unchecked Sendable {
    static let commit = "cafe0000cafe0000cafe0000cafe0000cafe0000"

    let id: String
    let files: [String: Data]
    let etags: [String: String]
    let server: TestHTTPServer
    let cache: String

    init(id: String, files: [String: Data]) throws {
        self.id = id
        self.files = files
        var etags = files.mapValues { FileDigest.hex([UInt8]($0)) }
        for (file, sha) in etags where !Self.isLFS(file) { etags[file] = String(sha.prefix(40)) }
        self.etags = etags
        let handler = Handler(id: id, files: files, etags: etags)
        server = try TestHTTPServer { handler.handle($0) }
        cache = FileManager.default.temporaryDirectory.path + "/diffuse-controlnet-hub-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
    }

    /// A ControlNet repository laid out as lllyasviel/sd-controlnet-canny, made from Fixtures/controlnet/<name>:
    /// config.json and the weights, beside files Diffuse must not take (an fp16 variant, a `.bin` copy, a README).
    static func repository(_ fixture: String, fp16Only: Bool = false) throws -> [String: Data] {
        let folder = ControlNetSourceSingleFileTests.folder(fixture)
        let weights = try Data(contentsOf: URL(fileURLWithPath: folder + "/diffusion_pytorch_model.safetensors"))
        var files: [String: Data] = [
            "config.json": try Data(contentsOf: URL(fileURLWithPath: folder + "/config.json")),
            "diffusion_pytorch_model.fp16.safetensors": weights,
            "diffusion_pytorch_model.bin": Data("not a pickle".utf8),
            "README.md": Data("# \(fixture)\n".utf8),
        ]
        if !fp16Only { files["diffusion_pytorch_model.safetensors"] = weights }
        return files
    }

    static func isLFS(_ file: String) -> Bool { file.hasSuffix(".safetensors") || file.hasSuffix(".bin") }

    var environment: [String: String] { ["HF_HUB_CACHE": cache, "HF_ENDPOINT": server.base] }
    var offline: [String: String] { environment.merging(["HF_HUB_OFFLINE": "1"]) { $1 } }
    var snapshot: String { cache + "/models--" + id.replacingOccurrences(of: "/", with: "--") + "/snapshots/" + Self.commit }

    /// The repository files requested through /resolve/, sorted, without duplicates.
    func resolvedFiles() -> [String] {
        let prefix = "/\(id)/resolve/"
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

    private struct Handler: Sendable {
        let id: String
        let files: [String: Data]
        let etags: [String: String]

        func handle(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
            let path = request.path.removingPercentEncoding ?? request.path
            if path.hasPrefix("/cdn/") {
                let etag = String(path.dropFirst(5))
                guard let file = files.keys.sorted().first(where: { etags[$0] == etag && ControlNetHub.isLFS($0) }) else { return notFound("EntryNotFound") }
                let body = files[file]!
                return .init(status: 200, headers: [("Content-Length", "\(body.count)")], body: request.method == "HEAD" ? Data() : body)
            }
            let api = "/api/models/\(id)/revision/"
            if path.hasPrefix(api) {
                guard ["main", ControlNetHub.commit].contains(String(path.dropFirst(api.count))) else { return notFound("RevisionNotFound") }
                let siblings = files.keys.sorted().map { ["rfilename": $0] }
                let json = try! JSONSerialization.data(withJSONObject: ["id": id, "sha": ControlNetHub.commit, "siblings": siblings] as [String: Any])
                return .init(status: 200, headers: [("Content-Type", "application/json")], body: json)
            }
            let resolve = "/\(id)/resolve/"
            guard path.hasPrefix(resolve) else { return notFound("RepoNotFound") }
            let rest = path.dropFirst(resolve.count)
            guard let slash = rest.firstIndex(of: "/") else { return notFound("EntryNotFound") }
            let file = String(rest[rest.index(after: slash)...])
            guard let content = files[file], let etag = etags[file] else { return notFound("EntryNotFound") }
            if ControlNetHub.isLFS(file) {
                let port = request.headers["host"]!.split(separator: ":").last!
                return .init(status: 302, headers: [("Location", "http://localhost:\(port)/cdn/\(etag)"), ("X-Repo-Commit", ControlNetHub.commit),
                                                    ("X-Linked-Etag", "\"\(etag)\""), ("X-Linked-Size", "\(content.count)"),
                                                    ("Content-Length", "0")])
            }
            return .init(status: 200, headers: [("X-Repo-Commit", ControlNetHub.commit), ("ETag", "\"\(etag)\""),
                                                ("Content-Length", "\(content.count)")],
                         body: request.method == "HEAD" ? Data() : content)
        }

        func notFound(_ code: String) -> TestHTTPServer.Response {
            .init(status: 404, headers: [("X-Error-Code", code)], body: Data(code.utf8))
        }
    }
}
