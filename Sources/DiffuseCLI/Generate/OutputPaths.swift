#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where `diffuse generate` writes: `--output PATH` (default `diffuse-<seed>.png`); with N > 1 images
/// `<stem>-0.png` … `<stem>-<N−1>.png` in batch order. Only PNG is written.
enum OutputPaths {
    static func paths(output: String?, seed: UInt64, count: Int) throws -> [String] {
        var path = output ?? "diffuse-\(seed).png"
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard !name.isEmpty else { throw GenerateError("--output \(path) names a folder; give a file name such as out.png") }
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            let ext = name[name.index(after: dot)...].lowercased()
            guard ext == "png" else {
                throw GenerateError("--output \(path): only PNG output is written; use a .png name")
            }
        } else {
            path += ".png"
        }
        guard count > 1 else { return [path] }
        let stem = String(path.dropLast(4))
        return (0..<count).map { "\(stem)-\($0).png" }
    }

    /// Throws when the folder of `path` does not exist (checked before any work).
    static func checkFolder(of path: String) throws {
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        var isDirectory = false
        #if canImport(FoundationEssentials)
        let exists = FileManager.default.fileExists(atPath: folder.isEmpty ? "/" : folder, isDirectory: &isDirectory)
        #else
        var objc: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder.isEmpty ? "/" : folder, isDirectory: &objc)
        isDirectory = objc.boolValue
        #endif
        guard exists, isDirectory else {
            throw GenerateError("--output \(path): the folder \(folder) does not exist")
        }
    }
}
