import DiffuseSources
import Foundation
import DiffuseCore
import DiffusePipeline
import DiffuseTestSupport

/// A fake Hugging Face hub for `TestHTTPServer`, serving repository `org/tiny-sd1` made from
/// Fixtures/tiny-sd1 (or `org/tiny-taesd`, a VAE repository laid out as madebyollin/taesd, from
/// Fixtures/tiny-taesd) as the real hub does (huggingface_hub `hf_api.py` / `file_download.py`):
///
///     GET  /api/models/org/tiny-sd1/revision/<rev>   {"sha": commit, "siblings": [{"rfilename"}]}
///     HEAD /org/tiny-sd1/resolve/<rev>/<file>         LFS (.safetensors, .bin): 302 to /cdn/<sha256>
///                                                      with X-Linked-Etag / X-Linked-Size; others 200
///                                                      with ETag (40 hex) and Content-Length
///     GET  /cdn/<sha256>                              the content; honours Range: bytes=N-
///
/// Besides the files Diffuse needs, the repository holds ones it must not download: an fp16 variant
/// of each weight file, a `.bin` copy of the UNet, a README (tiny-taesd: the original-format
/// `taesd_decoder.safetensors` / `.pth`, a README). Switches make it misbehave.
final class FakeHub: @unchecked Sendable {
    static let commit = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
    static let id = "org/tiny-sd1"

    /// Which repository the hub serves.
    enum Repo {
        case tinySD1, tinyTAESD
        /// Any repository: these files under this id.
        case files(id: String, [String: Data])

        var id: String {
            switch self {
            case .tinySD1: FakeHub.id
            case .tinyTAESD: "org/tiny-taesd"
            case .files(let id, _): id
            }
        }
        var contents: Result<(files: [String: Data], etags: [String: String]), any Error> {
            switch self {
            case .tinySD1: FakeHub.contents
            case .tinyTAESD: FakeHub.taesdContents
            case .files(_, let files): .success((files, FakeHub.etags(files)))
            }
        }
    }

    /// The repository id served (`org/tiny-sd1`, `org/tiny-taesd`).
    let id: String
    let files: [String: Data]
    private let lock = NSLock()
    private var _dropOnce: Set<String> = []
    private var _dropAlways: Set<String> = []
    private var _corrupt: Set<String> = []
    private var _garbageMetadata = false
    private var _rawGarbage = false
    private var _token: String?
    private var _ignoreRange = false
    private var _rangeRequests: [String] = []
    private var _badEtag: String?
    private var _overlong: Set<String> = []
    private var _stallOnce: Set<String> = []
    private var _encoded: Set<String> = []

    /// Files whose next CDN GET stops halfway (once each).
    var dropOnce: Set<String> { get { locked { _dropOnce } } set { locked { _dropOnce = newValue } } }
    /// Files whose CDN GETs always stop halfway.
    var dropAlways: Set<String> { get { locked { _dropAlways } } set { locked { _dropAlways = newValue } } }
    /// Files whose CDN content has one byte flipped (so its sha256 no longer matches the etag).
    var corrupt: Set<String> { get { locked { _corrupt } } set { locked { _corrupt = newValue } } }
    /// The metadata endpoint answers 200 with HTML.
    var garbageMetadata: Bool { get { locked { _garbageMetadata } } set { locked { _garbageMetadata = newValue } } }
    /// Every answer is bytes that are not HTTP.
    var rawGarbage: Bool { get { locked { _rawGarbage } } set { locked { _rawGarbage = newValue } } }
    /// HEAD of LFS files names this as X-Linked-Etag (a hostile or broken server).
    var badEtag: String? { get { locked { _badEtag } } set { locked { _badEtag = newValue } } }
    /// Files whose CDN GETs send 1 MiB more than the size the hub announced (Content-Length says so too).
    var overlong: Set<String> { get { locked { _overlong } } set { locked { _overlong = newValue } } }
    /// Files whose next CDN GET sends half, then nothing for a minute (once each).
    var stallOnce: Set<String> { get { locked { _stallOnce } } set { locked { _stallOnce = newValue } } }
    /// Files whose CDN GETs say `Content-Encoding: gzip` although identity was asked for.
    var encoded: Set<String> { get { locked { _encoded } } set { locked { _encoded = newValue } } }
    /// The Range header of every content GET, in order ("" when none).
    var rangeRequests: [String] { locked { _rangeRequests } }
    /// The CDN answers every GET with 200 and the whole file, Range or not.
    var ignoreRange: Bool { get { locked { _ignoreRange } } set { locked { _ignoreRange = newValue } } }
    /// When set, /api and /resolve answer 401 without `Authorization: Bearer <token>`.
    var token: String? { get { locked { _token } } set { locked { _token = newValue } } }

    /// The repository contents and etags, built once per test process (hashing 26 MB is not free in
    /// debug builds).
    private static let contents: Result<(files: [String: Data], etags: [String: String]), any Error> = Result {
        let source = FixturePaths.path("tiny-sd1")
        var files: [String: Data] = [:]
        for component in ["scheduler", "text_encoder", "tokenizer", "unet", "vae"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: source + "/" + component) {
                files[component + "/" + name] = try Data(contentsOf: URL(fileURLWithPath: source + "/" + component + "/" + name))
            }
        }
        files["model_index.json"] = try Data(contentsOf: URL(fileURLWithPath: source + "/model_index.json"))
        files["unet/diffusion_pytorch_model.bin"] = Data("not a pickle".utf8)
        files["README.md"] = Data("# tiny-sd1\n".utf8)
        var etags = FakeHub.etags(files)
        for (folder, base) in [("text_encoder", "model"), ("unet", "diffusion_pytorch_model"), ("vae", "diffusion_pytorch_model")] {
            // An "fp16" variant: the same bytes under the variant's name (ModelFolder only needs the names).
            files["\(folder)/\(base).fp16.safetensors"] = files["\(folder)/\(base).safetensors"]
            etags["\(folder)/\(base).fp16.safetensors"] = etags["\(folder)/\(base).safetensors"]
        }
        return (files, etags)
    }

    /// A VAE repository: config.json and the diffusers weights at the root, beside files Diffuse must not take.
    private static let taesdContents: Result<(files: [String: Data], etags: [String: String]), any Error> = Result {
        let source = FixturePaths.path("tiny-taesd")
        var files: [String: Data] = [:]
        for name in ["config.json", "diffusion_pytorch_model.safetensors"] {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: source + "/" + name))
        }
        files["taesd_decoder.safetensors"] = Data("original-format decoder".utf8)
        files["taesd_decoder.pth"] = Data("not a pickle".utf8)
        files["README.md"] = Data("# tiny-taesd\n".utf8)
        return (files, etags(files))
    }

    /// The hub's etags: sha256 of the content for LFS files, 40 hex digits (a git blob sha1's length) otherwise.
    static func etags(_ files: [String: Data]) -> [String: String] {
        var etags = files.mapValues { FileDigest.hex([UInt8]($0)) }
        for (file, sha) in etags where !isLFS(file) { etags[file] = String(sha.prefix(40)) }
        return etags
    }

    /// sha256 of the content for LFS files; 40 hex digits otherwise (a git blob sha1 on the real hub).
    let etags: [String: String]

    init(repo: Repo = .tinySD1) throws {
        id = repo.id
        (files, etags) = try repo.contents.get()
    }

    static func isLFS(_ file: String) -> Bool { file.hasSuffix(".safetensors") || file.hasSuffix(".bin") }

    func etag(_ file: String) -> String { etags[file]! }

    func handle(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        if rawGarbage { return .init(status: 200, raw: Data("SSH-2.0-OpenSSH\r\n\u{1}\u{2}garbage\r\n\r\n".utf8)) }
        let path = request.path.removingPercentEncoding ?? request.path
        if path.hasPrefix("/cdn/") { return cdn(String(path.dropFirst(5)), request) }
        // A renamed repository: old-org/tiny-sd1 redirects (relative, same origin) to org/tiny-sd1.
        for old in ["/api/models/old-org/tiny-sd1/", "/old-org/tiny-sd1/"] where request.path.hasPrefix(old) {
            let new = old.replacingOccurrences(of: "old-org", with: "org")
            return .init(status: 307, headers: [("Location", new + request.path.dropFirst(old.count))])
        }
        if let token, request.headers["authorization"] != "Bearer " + token {
            return .init(status: 401, headers: [("X-Error-Code", "GatedRepo")], body: Data("Access to model org/tiny-sd1 is restricted.".utf8))
        }
        let apiPrefix = "/api/models/\(id)/revision/"
        if path.hasPrefix("/api/models/") {
            guard path.hasPrefix(apiPrefix) else { return notFound("RepoNotFound") }
            let revision = String(path.dropFirst(apiPrefix.count))
            guard revision == "main" || revision == Self.commit else { return notFound("RevisionNotFound") }
            if garbageMetadata { return .init(status: 200, body: Data("<html><body>Welcome to the hotel wifi</body></html>".utf8)) }
            let siblings = files.keys.sorted().map { ["rfilename": $0] }
            let json = try! JSONSerialization.data(withJSONObject: ["id": id, "sha": Self.commit, "siblings": siblings] as [String: Any])
            return .init(status: 200, headers: [("Content-Type", "application/json")], body: json)
        }
        let resolvePrefix = "/\(id)/resolve/"
        guard path.hasPrefix(resolvePrefix) else { return notFound("RepoNotFound") }
        let rest = path.dropFirst(resolvePrefix.count)
        guard let slash = rest.firstIndex(of: "/") else { return notFound("EntryNotFound") }
        let revision = String(rest[..<slash]), file = String(rest[rest.index(after: slash)...])
        guard revision == "main" || revision == Self.commit else { return notFound("RevisionNotFound") }
        guard let content = files[file] else { return notFound("EntryNotFound") }
        let etag = etag(file)
        if Self.isLFS(file), let badEtag {
            return .init(status: 302, headers: [("Location", "/cdn/\(etag)"), ("X-Repo-Commit", Self.commit),
                                                ("X-Linked-Etag", badEtag), ("X-Linked-Size", "\(content.count)")])
        }
        if Self.isLFS(file) {
            // The CDN is another origin, as on the real hub: "localhost" instead of 127.0.0.1.
            let port = request.headers["host"]!.split(separator: ":").last!
            return .init(status: 302, headers: [("Location", "http://localhost:\(port)/cdn/\(etag)"),
                                                ("X-Repo-Commit", Self.commit), ("X-Linked-Etag", "\"\(etag)\""),
                                                ("X-Linked-Size", "\(content.count)"), ("ETag", "\"pointer\""),
                                                ("Content-Length", "0")])
        }
        return .init(status: 200, headers: [("X-Repo-Commit", Self.commit), ("ETag", "W/\"\(etag)\""),
                                            ("Content-Length", "\(content.count)")],
                     body: request.method == "HEAD" ? Data() : content)
    }

    private func cdn(_ etag: String, _ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        // Variant copies share content, hence etag: a switch set for any of the names applies.
        let names = files.keys.filter { Self.isLFS($0) && etags[$0] == etag }.sorted()
        guard let file = names.first else { return notFound("EntryNotFound") }
        var content = files[file]!
        if !corrupt.isDisjoint(with: names) { content[content.count / 2] ^= 0xFF }
        var start = 0, end = content.count   // Range: bytes=N- or bytes=N-M (inclusive)
        if let range = request.headers["range"], range.hasPrefix("bytes="), !ignoreRange {
            let bounds = range.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
            if bounds.count == 2, let from = Int(bounds[0]) {
                guard from < content.count else { return .init(status: 416) }
                start = from
                if let last = Int(bounds[1]) { end = min(content.count, last + 1) }
            }
        }
        locked { _rangeRequests.append(request.headers["range"] ?? "") }
        var body = content.subdata(in: start..<end)
        if !overlong.isDisjoint(with: names) { body += Data(repeating: 0x5A, count: 1 << 20) }
        let partial = start > 0 || end < content.count
        var response = TestHTTPServer.Response(status: partial ? 206 : 200, headers: [("Content-Length", "\(body.count)")], body: body)
        if !encoded.isDisjoint(with: names) { response.headers.append(("Content-Encoding", "gzip")) }
        if partial { response.headers.append(("Content-Range", "bytes \(start)-\(end - 1)/\(content.count)")) }
        let drop = locked { () -> Bool in
            if !_dropAlways.isDisjoint(with: names) { return true }
            let once = _dropOnce.intersection(names)
            _dropOnce.subtract(once)
            return !once.isEmpty
        }
        if drop { response.dropAfter = body.count / 2 }
        let stall = locked { () -> Bool in
            let once = _stallOnce.intersection(names)
            _stallOnce.subtract(once)
            return !once.isEmpty
        }
        if stall { (response.dropAfter, response.stallSeconds) = (body.count / 2, 60) }
        return response
    }

    private func notFound(_ code: String) -> TestHTTPServer.Response {
        .init(status: 404, headers: [("X-Error-Code", code)], body: Data("\(code)".utf8))
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock(); defer { lock.unlock() }
        return body()
    }
}
