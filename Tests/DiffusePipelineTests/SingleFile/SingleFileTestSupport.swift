#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseCore
import DiffuseNN
import Testing
import DiffusePipeline
import DiffuseSources
import DiffuseTestSupport

/// The single-file fixtures (Scripts/fixtures/single_file.py): Fixtures/single-file/tiny-{sd1,sd2,sdxl}.safetensors,
/// the fixture pipelines tiny-sd1 / tiny-sd2 / tiny-sdxl in the original key layout.
enum SingleFileFixture {
    static func path(_ name: String) -> String { FixturePaths.path("single-file/\(name).safetensors") }

    /// Opens `tiny-sd1` / `tiny-sd2` / `tiny-sdxl`'s single file with the fixture folder as `--config`.
    static func open(_ name: String) throws -> ModelFolder {
        try SingleFileCheckpoint.open(path: path(name), config: FixturePaths.path(name))
    }

    /// Requests every tensor of the component folder's `files` (but `position_ids`) from `mapped` by its
    /// diffusers key and expects the same dtype and bits, then that `mapped` used every stored tensor
    /// (`finish()`). Returns how many tensors were compared.
    static func expectSameTensors(_ files: [String], _ mapped: WeightStore, _ what: String) throws -> Int {
        var compared = 0
        for path in files {
            let file = try SafeTensorsFile(path: path)
            for key in file.names where !key.hasSuffix("position_ids") {
                let expected = try file.tensor(key)
                #expect(mapped.contains(key), "\(what): \(key) has no counterpart")
                let actual = mapped.tensor(key, shape: expected.shape)
                #expect(actual.dtype == expected.dtype, "\(what): \(key)")
                #expect(actual.floats() == expected.floats(), "\(what): \(key) differs")
                compared += 1
            }
        }
        // Every stored tensor of the component was used (or is one loaders ignore).
        #expect(throws: Never.self, "\(what)") { try mapped.finish() }
        return compared
    }
}

/// A temporary folder, removed when released.
final class SingleFileTempDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/diffuse-single-file-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes a copy of the single file `source` with `edit` applied to its tensors (by stored name),
    /// and returns its path.
    func copy(of source: String, as name: String, edit: (inout [String: Tensor]) -> Void) throws -> String {
        let file = try SafeTensorsFile(path: source)
        var tensors: [String: Tensor] = [:]
        for key in file.names { tensors[key] = try file.tensor(key) }
        edit(&tensors)
        let out = path + "/" + name
        try SafeTensors.write(tensors, to: out)
        return out
    }

    /// Writes a safetensors file of zero tensors with these shapes (f32).
    func file(_ name: String, shapes: [String: [Int]]) throws -> String {
        let out = path + "/" + name
        try SafeTensors.write(shapes.mapValues { Tensor(zeros: $0, dtype: .f32) }, to: out)
        return out
    }
}
