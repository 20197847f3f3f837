#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A1111's `Model hash` in the PNG `parameters`: the first 10 hex digits of the sha256 of the checkpoint
/// file (A1111's "AutoV2" short hash). For a single-file checkpoint that file; for a diffusers folder the
/// UNet's weight file (its first shard), the part that makes one fine-tune differ from another.
///
/// Hashing gigabytes takes seconds, so it is done once per file: a hub blob is named by its sha256
/// already (huggingface_hub's cache layout), and other files' digests are kept in
/// `$XDG_CACHE_HOME/diffuse/model-hashes.json` (else `~/.cache/…`), keyed by real path, size and
/// modification time, as A1111's `cache.json` does. A cache that cannot be read or written is ignored.
public enum ModelHash {
    /// The short hash of `resolved`'s weights (nil when the file cannot be read).
    public static func short(resolved: ResolvedModel, folder: ModelFolder,
                             environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let file: String?
        if case .singleFile = resolved.origin { file = resolved.path } else { file = folder.unetWeights.files.first }
        return file.flatMap { short(ofFile: $0, environment: environment) }
    }

    /// The short hash of the model at `path`: a single-file checkpoint, or a diffusers folder's UNet
    /// weights (nil for anything else, e.g. a hub id).
    public static func short(ofModel path: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        if (info.st_mode & S_IFMT) != S_IFDIR { return short(ofFile: path, environment: environment) }
        let unet = try? ModelFolder.findWeights(in: path + "/unet", baseName: "diffusion_pytorch_model", variant: nil)
        return unet?.files.first.flatMap { short(ofFile: $0, environment: environment) }
    }

    public static func short(ofFile path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        sha256(ofFile: path, environment: environment).map { String($0.prefix(10)) }
    }

    /// The full sha256 of the file at `path`, from the hub blob name, the cache, or by reading it.
    public static func sha256(ofFile path: String, environment: [String: String]) -> String? {
        guard let real = realPath(path) else { return nil }
        let name = real.split(separator: "/").last.map(String.init) ?? ""
        if real.contains("/blobs/"), name.count == 64, name.allSatisfy(\.isHexDigit) { return name.lowercased() }
        var info = stat()
        guard stat(real, &info) == 0 else { return nil }
        let key = "\(real)|\(info.st_size)|\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        let cacheFile = cachePath(environment)
        var cache = cacheFile.flatMap(readCache) ?? [:]
        if let known = cache[key] { return known }
        guard let digest = FileDigest.hex(ofFile: real) else { return nil }
        if let cacheFile {
            cache[key] = digest
            if cache.count > 1000 { cache = [key: digest] }   // stays small: a fresh start past 1000 files
            writeCache(cache, to: cacheFile)
        }
        return digest
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func cachePath(_ environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/diffuse/model-hashes.json" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/diffuse/model-hashes.json" }
        return nil
    }

    static func readCache(_ path: String) -> [String: String]? {
        guard let data = FileManager.default.contents(atPath: path), data.count < 1 << 20 else { return nil }
        return try? JSONDecoder().decode([String: String].self, from: data)
    }

    static func writeCache(_ cache: [String: String], to path: String) {
        let folder = String(path[..<path.lastIndex(of: "/")!])
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard let data = try? JSONEncoder().encode(cache) else { return }
        let temp = path + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temp, contents: data) else { return }
        if rename(temp, path) != 0 { unlink(temp) }
    }
}
