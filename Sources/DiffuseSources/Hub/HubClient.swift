import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import DiffuseCore

/// The hub's HTTP API as huggingface_hub uses it to fill its cache:
///
///     GET  {endpoint}/api/models/{id}/revision/{revision}   → {"sha": commit, "siblings": [{"rfilename"}]}
///                                                              (hf_api.py `model_info`)
///     HEAD {endpoint}/{id}/resolve/{commit}/{file}          → X-Repo-Commit, X-Linked-Etag / ETag,
///                                                              X-Linked-Size / Content-Length, and for
///                                                              LFS files a redirect to a CDN (file_download.py
///                                                              `get_hf_file_metadata`: redirects on the hub's
///                                                              origin followed, others returned)
///     GET  <that location>  with Range: bytes=N-            → the content, resumed (`http_get`)
///
/// `Authorization: Bearer $HF_TOKEN` goes to the endpoint's origin only. Errors are `ModelSourceError`
/// naming `model`.
struct HubClient: Sendable {
    /// What `model_info` gives: the commit a revision is at, and every file of the repository.
    struct RepoInfo: Sendable, Equatable {
        var commit: String
        var files: [String]
    }

    /// What `get_hf_file_metadata` gives for one file.
    struct FileMetadata: Sendable, Equatable {
        /// The blob name: sha256 of the content for LFS files, the git blob sha1 otherwise.
        var etag: String
        var size: Int?
        var commit: String?
        /// Where to GET the content (the CDN location after a redirect, or the resolve URL).
        var location: URL
    }

    /// The hub's own response headers (constants.py `HUGGINGFACE_HEADER_*`).
    enum Header {
        static let repoCommit = "X-Repo-Commit"
        static let linkedEtag = "X-Linked-Etag"
        static let linkedSize = "X-Linked-Size"
        static let errorCode = "X-Error-Code"
    }

    var endpoint: String
    var token: String?
    var model: String
    var http = HubHTTP()
    /// Resumes after a dropped connection, per file.
    var retries = 5
    /// The largest range one request asks for (`download`); 64 MiB by default.
    var rangeBytes = 64 << 20

    init(endpoint: String, token: String?, model: String) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.model = model
    }

    /// Headers for a request to `url`: the token only when `url` is on the endpoint's origin (a CDN
    /// gets signed URLs, never the token).
    func headers(for url: URL) -> [String: String] {
        var headers = ["User-Agent": "diffuse; hf_hub-compatible", "Accept-Encoding": "identity"]
        if let token, let hub = URL(string: endpoint), HubHTTP.origin(url) == HubHTTP.origin(hub) {
            headers["Authorization"] = "Bearer " + token
        }
        return headers
    }

    /// `GET /api/models/{id}/revision/{revision}`.
    func repoInfo(id: String, revision: String) throws -> RepoInfo {
        let url = try makeURL("/api/models/\(id)/revision/" + Self.quote(revision, keepSlash: false))
        let (response, _) = http.follow("GET", url, headers: headers(for: url))
        if let error = response.transportError, response.isUnreachable {
            throw ModelSourceError(.notCached, model: model, message: "could not reach \(endpoint) (\(error))")
        }
        try check(response, url: url, what: "revision \"\(revision)\" of \(id)")
        struct Info: Decodable {
            struct Sibling: Decodable { let rfilename: String }
            let sha: String?
            let siblings: [Sibling]?
        }
        guard let info = try? JSONDecoder().decode(Info.self, from: response.body),
              let sha = info.sha, let siblings = info.siblings else {
            throw garbage(url, response, expected: "the hub's model info JSON ({\"sha\": …, \"siblings\": […]})")
        }
        guard ModelSource.isCommitHash(sha) else {
            throw garbage(url, response, expected: "a 40-hex commit hash in \"sha\"")
        }
        return RepoInfo(commit: sha, files: siblings.map(\.rfilename))
    }

    /// `HEAD /{id}/resolve/{commit}/{file}`.
    func fileMetadata(id: String, commit: String, file: String) throws -> FileMetadata {
        let url = try makeURL("/\(id)/resolve/\(commit)/" + Self.quote(file, keepSlash: true))
        let (response, finalURL) = http.follow("HEAD", url, headers: headers(for: url), sameOriginOnly: true)
        try check(response, url: url, what: file)
        // huggingface_hub `_normalize_etag`: drop a weak `W/` prefix and the quotes.
        let rawEtag = response.header(Header.linkedEtag) ?? response.header("ETag")
        var etag = rawEtag ?? ""
        if etag.hasPrefix("W/") { etag.removeFirst(2) }
        etag = etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard !etag.isEmpty, etag.count <= 128,
              etag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw garbage(url, response, expected: "an ETag header naming the file's blob (got \(rawEtag.map { "\"\($0)\"" } ?? "none"))")
        }
        let sizeText = response.header(Header.linkedSize) ?? (response.isRedirect ? nil : response.header("Content-Length"))
        var location = finalURL
        if response.isRedirect, let target = response.header("Location"),
           let absolute = URL(string: target, relativeTo: finalURL)?.absoluteURL {
            location = absolute
        }
        return FileMetadata(etag: etag, size: sizeText.flatMap { Int($0) }, commit: response.header(Header.repoCommit),
                            location: location)
    }

    /// Downloads `url` into `incomplete`, appending to what an earlier attempt left there
    /// (`Range: bytes=N-`), resuming up to `retries` times after a dropped connection. A file of known size
    /// larger than `rangeBytes` is fetched in ranges of that size, one request each, so that what
    /// FoundationNetworking buffers ahead of the disk (it applies no back-pressure: a 1.5 GiB file held
    /// 530 MB) stays within one range. Returns when
    /// the file has `expectedSize` bytes (or the server ended cleanly, when the size is unknown), with
    /// the sha256 of the whole file, computed while the bytes arrive (a resumed prefix is read back).
    func download(_ url: URL, to incomplete: String, expectedSize: Int?, file: String,
                  progress: DownloadProgress?) throws -> String {
        try HubCacheRepo.createParent(of: incomplete)
        var failures: [String] = []
        var hasher = FileDigest()
        var hashed = 0
        var rangeDone = false   // the previous request was a whole range: go on, no new progress line
        while true {
            var have = HubCacheRepo.fileSize(incomplete) ?? 0
            if let expectedSize, have > expectedSize { truncate(incomplete, 0); have = 0 }
            if hashed != have {
                hasher = FileDigest()
                hashed = hasher.update(file: incomplete, limit: have) ?? 0
            }
            if let expectedSize, have == expectedSize, hashed == have { return hasher.finalize() }
            guard let handle = Self.openForAppending(incomplete) else {
                throw ModelSourceError(.cacheWriteFailed, model: model,
                    message: "cannot write \(incomplete); check the cache folder's permissions (or set HF_HUB_CACHE to a writable folder)")
            }
            defer { try? handle.close() }
            if !rangeDone { progress?.start(file: file, done: have, total: expectedSize) }
            rangeDone = false
            var headers = self.headers(for: url)
            // [have, rangeEnd) when the rest is larger than one range; else everything from `have`
            let rangeEnd = expectedSize.flatMap { $0 - have > rangeBytes ? have + rangeBytes : nil }
            if have > 0 || rangeEnd != nil { headers["Range"] = "bytes=\(have)-" + (rangeEnd.map { "\($0 - 1)" } ?? "") }
            var refused: String? = nil   // a reason to stop for good (no retry)
            let (response, _) = http.follow("GET", url, headers: headers, prepare: { answer in
                // Identity was asked for: a compressed body would be decoded on the fly, unbounded and unchecked.
                if let encoding = answer.header("Content-Encoding")?.lowercased(), !["", "identity"].contains(encoding) {
                    refused = "the server sent it \(encoding)-encoded although identity was asked for (a proxy rewriting downloads?)"
                    throw ModelSourceError(.badResponse, model: model, message: refused!)
                }
                // A server that ignores Range answers 200 with the whole file: start over.
                if answer.status != 206, have > 0 {
                    try handle.truncate(atOffset: 0)
                    hasher = FileDigest()
                    hashed = 0
                    progress?.start(file: file, done: 0, total: expectedSize)
                }
            }, sink: { chunk in
                // Never more than announced (or, unannounced, than `unannouncedLimit`): the rest is not written.
                let limit = expectedSize ?? Self.unannouncedLimit
                let room = max(0, limit - hashed)
                let accepted = chunk.count <= room ? chunk : chunk.prefix(room)
                try handle.write(contentsOf: accepted)
                accepted.withUnsafeBytes { hasher.update($0) }
                hashed += accepted.count
                progress?.advance(accepted.count)
                if accepted.count < chunk.count {
                    refused = expectedSize == nil
                        ? "the server sent more than \(Self.unannouncedLimit >> 30) GiB without announcing a size"
                        : "the server sent more than the \(limit) bytes it announced"
                    throw ModelSourceError(.badResponse, model: model, message: refused!)
                }
            })
            try? handle.close()
            if let refused {
                progress?.finish()
                let kept = HubCacheRepo.fileSize(incomplete) ?? 0
                throw ModelSourceError(.badResponse, model: model,
                    message: "download of \(file) from \(url.absoluteString) stopped: \(refused); \(kept) bytes are kept in \(incomplete) — run again to resume (delete it to start over), or fetch the model with `huggingface-cli download`")
            }
            let now = HubCacheRepo.fileSize(incomplete) ?? 0
            let retryable = response.transportError != nil || response.status >= 500 || [408, 429].contains(response.status)
            if !retryable {
                if response.status == 416, let expectedSize, now == expectedSize { progress?.finish(); continue }
                try check(response, url: url, what: file)
                if (expectedSize == nil || now == expectedSize) && hashed == now { progress?.finish(); return hasher.finalize() }
                if let rangeEnd, response.status == 206, now == rangeEnd, hashed == now { rangeDone = true; continue }
                failures.append("the answer ended at \(now) of \(expectedSize ?? 0) bytes")
            } else {
                failures.append(response.transportError ?? "HTTP \(response.status)")
            }
            guard failures.count <= retries else {
                progress?.finish()
                throw ModelSourceError(.badResponse, model: model,
                    message: "download of \(file) from \(url.absoluteString) kept breaking off (\(failures.last ?? "?"), \(failures.count) attempts); \(now) bytes are kept in \(incomplete) and the next run resumes from there")
            }
        }
    }

    /// The most a download whose size was not announced may write (configs and tokenizers are KBs; the
    /// hub announces every weight file's size).
    static let unannouncedLimit = 1 << 30

    static func openForAppending(_ path: String) -> FileHandle? {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { return nil }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        _ = try? handle.seekToEnd()
        return handle
    }

    func makeURL(_ path: String) throws -> URL {
        guard let url = URL(string: endpoint + path), url.scheme == "http" || url.scheme == "https" else {
            throw ModelSourceError(.invalidID, model: model,
                message: "HF_ENDPOINT \"\(endpoint)\" is not an http(s) URL; set it to e.g. https://huggingface.co or unset it")
        }
        return url
    }

    /// huggingface_hub's `quote(…, safe="")` for revisions, `quote(filename)` (keeps `/`) for paths.
    static func quote(_ text: String, keepSlash: Bool) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")
        if keepSlash { allowed.insert("/") }
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
