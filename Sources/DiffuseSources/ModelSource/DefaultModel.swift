#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The model `diffuse generate` uses when no `--model` is given: `Models/diffuse-shapes`, the small
/// shapes model trained by `Scripts/train_shapes/train.py` and committed in the repository.
///
/// Looked for, first found wins:
/// 1. `DIFFUSE_DEFAULT_MODEL` (a model folder; when set it must be one);
/// 2. `Models/diffuse-shapes` in the folder of the running executable's real path or any folder above
///    it (`.build/release/diffuse` inside a clone, even when started through a symlink);
/// 3. the same in the current directory or any folder above it;
/// 4. the repository this file was compiled from (`#filePath`), for an executable copied elsewhere on
///    the machine that built it.
public enum DefaultModel {
    /// The default model's folder, relative to the repository root.
    public static let relativePath = "Models/diffuse-shapes"
    /// The environment variable that overrides the default model folder.
    public static let environmentVariable = "DIFFUSE_DEFAULT_MODEL"

    /// The default model folder. Throws `DefaultModelError` (saying where it looked) when none is found.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment,
                               executablePath: String? = runningExecutable(),
                               currentDirectory: String = FileManager.default.currentDirectoryPath,
                               sourceFile: String = #filePath) throws -> String {
        if let value = environment[environmentVariable], !value.isEmpty {
            guard isModelFolder(value) else {
                throw DefaultModelError(
                    "\(environmentVariable)=\(value) is not a diffusers model folder (no model_index.json there); point it at one, unset it to use \(relativePath), or pass --model")
            }
            return value
        }
        var looked: [String] = []
        var starts: [String] = []
        if let executablePath { starts.append(parent(of: executablePath)) }
        starts.append(currentDirectory)
        for start in starts {
            if let found = search(upwardsFrom: start, looked: &looked) { return found }
        }
        // Sources/DiffuseSources/ModelSource/DefaultModel.swift → the repository root, four levels up.
        var root = sourceFile
        for _ in 0..<4 { root = parent(of: root) }
        let candidate = root + "/" + relativePath
        looked.append(candidate)
        if isModelFolder(candidate) { return candidate }
        throw DefaultModelError(
            "no --model given and the default model \(relativePath) was not found (looked in \(looked.joined(separator: ", "))); pass --model DIR (a diffusers folder) or set \(environmentVariable), or run from a clone of the repository")
    }

    /// `start` and each folder above it: the first `<folder>/Models/diffuse-shapes` with a
    /// `model_index.json`; every folder tried is appended to `looked`.
    static func search(upwardsFrom start: String, looked: inout [String]) -> String? {
        var folder = start
        while !folder.isEmpty {
            let candidate = (folder == "/" ? "" : folder) + "/" + relativePath
            if isModelFolder(candidate) { return candidate }
            looked.append(candidate)
            let up = parent(of: folder)
            if up == folder { break }
            folder = up
        }
        return nil
    }

    /// The running executable's real path (symlinks resolved), from `/proc/self/exe`; nil elsewhere.
    public static func runningExecutable() -> String? {
        guard let resolved = realpath("/proc/self/exe", nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isModelFolder(_ path: String) -> Bool { ModelFolder.isFile(path + "/model_index.json") }

    /// The path without its last component (`/` for a top-level entry; `.` for a bare name).
    static func parent(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}
