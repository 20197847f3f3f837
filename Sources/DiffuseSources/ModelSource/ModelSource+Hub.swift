/// Hub ids: the cache first, then (when not offline) a download into it.
extension ModelSource {
    /// The snapshot folder of hub repository `id` holding what `layout` needs.
    static func locateHub(_ id: String, revision: String, variant: String?, layout: HubLayout = .pipeline,
                          environment: [String: String], progress: DownloadProgress?) throws -> ResolvedModel {
        let root = cacheRoot(environment: environment)
        let cache = HubCacheRepo(root: root, id: id)
        let cacheError: ModelSourceError
        do {
            let (snapshot, commit) = try cachedSnapshot(cache, model: id, revision: revision)
            guard let problem = snapshotProblem(snapshot, variant: variant, layout: layout, model: id) else {
                return ResolvedModel(path: snapshot, origin: .hubCache(cache: root, commit: commit), model: id)
            }
            cacheError = problem
        } catch let error as ModelSourceError {
            cacheError = error
        }
        let fetch = "fetch it with `huggingface-cli download \(id)\(revision == "main" ? "" : " --revision \(revision)")` (it fills the same cache), set HF_HUB_CACHE or HF_HOME if your cache is elsewhere, or pass a model folder"
        if isOffline(environment: environment) {
            guard cacheError.kind == .notCached else {
                throw ModelSourceError(cacheError.kind, model: id, message: cacheError.message + " (HF_HUB_OFFLINE is set: nothing is downloaded)")
            }
            throw ModelSourceError(.notCached, model: id,
                message: cacheError.message + " and HF_HUB_OFFLINE is set, so nothing is downloaded; unset HF_HUB_OFFLINE to download it, or " + fetch)
        }
        let endpoint = endpoint(environment: environment)
        var client = HubClient(endpoint: endpoint, token: token(environment: environment), model: id)
        // huggingface_hub's HF_HUB_DOWNLOAD_TIMEOUT: seconds without a byte before a transfer is dropped
        // (and resumed, up to the retry count); default 10, as there.
        if let text = environment["HF_HUB_DOWNLOAD_TIMEOUT"], !text.isEmpty {
            guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= 3600 else {
                throw ModelSourceError(.invalidOption, model: id,
                    message: "HF_HUB_DOWNLOAD_TIMEOUT=\(text) is not a number of seconds between 0 and 3600; set e.g. 60 or unset it")
            }
            client.http.timeout = seconds
        }
        let download = HubSnapshotDownload(cache: cache, client: client, progress: progress)
        let result: HubSnapshotDownload.Result
        do {
            result = try download.run(revision: revision, variant: variant, layout: layout)
        } catch let error as ModelSourceError where error.kind == .notCached {
            throw ModelSourceError(.notCached, model: id,
                message: error.message + "; " + cacheError.message + "; connect to the network, or " + fetch)
        }
        if let problem = snapshotProblem(result.snapshot, variant: variant, layout: layout, model: id) { throw problem }
        return ResolvedModel(path: result.snapshot, origin: .downloaded(endpoint: endpoint, cache: root, commit: result.commit,
                                                                         files: result.files, bytes: result.bytes), model: id)
    }
}
