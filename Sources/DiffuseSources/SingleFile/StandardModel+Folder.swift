#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import DiffuseCore

/// The standard configs on disk: a diffusers folder without weights (`model_index.json`, component
/// configs, `tokenizer/` — and SDXL's `tokenizer_2/` — with `tokenizer_config.json` + CLIP's `vocab.json`
/// and `merges.txt`), so that a recognised checkpoint loads exactly like one given `--config`.
///
/// - Written under `configRoot` (`SingleFileOptions.configRoot`, else `$DIFFUSE_CACHE_DIR`, else
///   `$XDG_CACHE_HOME/diffuse`, else `~/.cache/diffuse`) as
///   `standard-configs/<sd15|sd21|sd21-base|sdxl|sdxl-refiner>/`; files are rewritten only when their
///   contents differ.
/// - The CLIP vocabulary (1.6 MB, the same for SD 1.x, 2.x and both SDXL tokenizers) is not compiled
///   in; it is copied from `vocabularyFolder`: `SingleFileOptions.vocabularyFolder`, else
///   `$DIFFUSE_VOCABULARY`, else the source checkout's `Fixtures/tokenizer` (found from this file's
///   compile-time path: works for `swift run` / `swift test` in the repository), else — once copied —
///   the config root's own copy.
extension StandardModel {
    private static let lock = Lock()

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The root under which the standard config folders are written.
    public static func configRoot(_ options: SingleFileOptions) -> String {
        if let root = options.configRoot ?? environment("DIFFUSE_CACHE_DIR") { return root }
        if let xdg = environment("XDG_CACHE_HOME") { return xdg + "/diffuse" }
        return (environment("HOME") ?? "/tmp") + "/.cache/diffuse"
    }

    /// The source checkout's Fixtures/tokenizer (this file is Sources/DiffuseSources/SingleFile/…).
    static let checkoutVocabulary: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/") + "/Fixtures/tokenizer"
    }()

    /// The folder holding `vocab.json` + `merges.txt` (see the type's notes).
    static func vocabularyFolder(_ options: SingleFileOptions, installed: String) throws -> String {
        let candidates = [options.vocabularyFolder, environment("DIFFUSE_VOCABULARY"), checkoutVocabulary, installed]
        func complete(_ dir: String) -> Bool {
            ModelFolder.isFile(dir + "/vocab.json") && ModelFolder.isFile(dir + "/merges.txt")
        }
        if let explicit = options.vocabularyFolder ?? environment("DIFFUSE_VOCABULARY"), !complete(explicit) {
            throw SingleFileError(.missingVocabulary, path: explicit, message: "needs CLIP's vocab.json and merges.txt")
        }
        guard let found = candidates.compactMap({ $0 }).first(where: complete) else {
            throw SingleFileError(.missingVocabulary, path: installed, message:
                "the standard configs need CLIP's vocab.json and merges.txt: set DIFFUSE_VOCABULARY to a folder holding them "
                + "(e.g. a Stable Diffusion model's tokenizer/ folder, or Fixtures/tokenizer of the Diffuse repository), "
                + "or pass --config with a diffusers folder")
        }
        return found
    }

    /// Writes (or refreshes) this model's config folder and returns its path.
    public func configFolder(_ options: SingleFileOptions = SingleFileOptions()) throws -> String {
        let folder = Self.configRoot(options) + "/standard-configs/" + rawValue
        let tokenizers = configFiles.keys.filter { $0.hasSuffix("/tokenizer_config.json") }
            .map { String($0.dropLast("/tokenizer_config.json".count)) }.sorted()   // tokenizer, tokenizer_2
        let vocabulary = try Self.vocabularyFolder(options, installed: folder + "/" + tokenizers[0])
        try Self.lock.withLock {
            var files = configFiles.mapValues { Data($0.utf8) }
            for tokenizer in tokenizers where vocabulary != folder + "/" + tokenizer {
                for name in ["vocab.json", "merges.txt"] {
                    files[tokenizer + "/" + name] = try Data(contentsOf: URL(fileURLWithPath: vocabulary + "/" + name))
                }
            }
            for (relative, data) in files.sorted(by: { $0.key < $1.key }) {
                let path = folder + "/" + relative
                if (try? Data(contentsOf: URL(fileURLWithPath: path))) == data { continue }
                do {
                    let dir = String(path[..<path.lastIndex(of: "/")!])
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                    try data.write(to: URL(fileURLWithPath: path), options: .atomic)
                } catch {
                    throw SingleFileError(.configFolder, path: path,
                        message: "cannot write the standard config (\(error)); set DIFFUSE_CACHE_DIR to a writable folder or pass --config")
                }
            }
        }
        return folder
    }
}
