#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseSources
import Testing
import DiffusePipeline

/// `DefaultModel.resolve`: DIFFUSE_DEFAULT_MODEL, then Models/diffuse-shapes above the executable's
/// real path, above the current directory, then the repository of `#filePath`; a one-line error naming
/// every place looked at otherwise. Uses a throwaway folder tree with empty model_index.json files.
struct DefaultModelTests {
    /// `<tmp>/clone/Models/diffuse-shapes/model_index.json`, `<tmp>/clone/.build/release/`, `<tmp>/elsewhere/deep/`.
    static func tree() throws -> String {
        let root = FileManager.default.temporaryDirectory.path + "/diffuse-default-\(UInt32.random(in: 0...UInt32.max))"
        let fm = FileManager.default
        for folder in ["clone/Models/diffuse-shapes", "clone/.build/release", "elsewhere/deep", "other-model"] {
            try fm.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        for file in ["clone/Models/diffuse-shapes/model_index.json", "other-model/model_index.json"] {
            try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/" + file))
        }
        return root
    }

    /// A `#filePath` whose repository (four levels up) has no model.
    static func noSource(_ root: String) -> String { root + "/elsewhere/a/b/c/DefaultModel.swift" }

    @Test func environmentVariableWins() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let found = try DefaultModel.resolve(environment: ["DIFFUSE_DEFAULT_MODEL": root + "/other-model"],
                                             executablePath: root + "/clone/.build/release/diffuse",
                                             currentDirectory: root, sourceFile: Self.noSource(root))
        #expect(found == root + "/other-model")
    }

    @Test func environmentVariableMustBeAModel() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: DefaultModelError.self) {
            try DefaultModel.resolve(environment: ["DIFFUSE_DEFAULT_MODEL": root + "/elsewhere"],
                                     executablePath: root + "/clone/.build/release/diffuse",
                                     currentDirectory: root, sourceFile: Self.noSource(root))
        }
    }

    @Test func besideTheExecutable() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let found = try DefaultModel.resolve(environment: [:], executablePath: root + "/clone/.build/release/diffuse",
                                             currentDirectory: root + "/elsewhere/deep", sourceFile: Self.noSource(root))
        #expect(found == root + "/clone/Models/diffuse-shapes")
    }

    @Test func aboveTheCurrentDirectory() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let found = try DefaultModel.resolve(environment: [:], executablePath: "/usr/bin/diffuse",
                                             currentDirectory: root + "/clone/.build", sourceFile: Self.noSource(root))
        #expect(found == root + "/clone/Models/diffuse-shapes")
    }

    @Test func fromTheSourceRepository() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let found = try DefaultModel.resolve(environment: [:], executablePath: nil, currentDirectory: root + "/elsewhere",
                                             sourceFile: root + "/clone/Sources/DiffuseSources/ModelSource/DefaultModel.swift")
        #expect(found == root + "/clone/Models/diffuse-shapes")
    }

    @Test func noneFoundSaysWhereItLooked() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        do {
            _ = try DefaultModel.resolve(environment: [:], executablePath: root + "/elsewhere/deep/diffuse",
                                         currentDirectory: root + "/elsewhere", sourceFile: Self.noSource(root))
            Issue.record("expected DefaultModelError")
        } catch let error as DefaultModelError {
            #expect(error.message.contains("--model"))
            #expect(error.message.contains(root + "/elsewhere/deep/Models/diffuse-shapes"))
            #expect(!error.message.contains("\n"))
        }
    }

    /// The repository's own default model is what this test build finds (the real `#filePath`).
    @Test(.enabled(if: ShapesModel.isPresent)) func repositoryDefault() throws {
        let found = try DefaultModel.resolve(environment: [:], executablePath: nil, currentDirectory: "/")
        #expect(FileManager.default.fileExists(atPath: found + "/model_index.json"))
        #expect(URL(fileURLWithPath: found).standardized.path == URL(fileURLWithPath: ShapesModel.path).standardized.path)
    }

    /// Issue #20: the shipped scheduler config says `clip_sample: false` (as SD 1.5's does), so
    /// `--scheduler ddim`, whose class default is true, does not clip the x0 estimates into noise.
    @Test(.enabled(if: ShapesModel.isPresent)) func ddimDoesNotClip() throws {
        let folder = try ModelFolder(path: ShapesModel.path)
        #expect(folder.scheduler.clipSample == false)
        #expect(SchedulerChoice.ddim.config(from: folder.scheduler).clipSample == false)
    }
}
