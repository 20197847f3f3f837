#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseCore
import DiffusePipeline
import DiffuseSources
import DiffuseTestSupport

/// The committed default model, Models/diffuse-shapes, loaded once for the tests of this folder.
enum ShapesModel {
    static let path = FixturePaths.root + "/../" + DefaultModel.relativePath

    static var isPresent: Bool { FileManager.default.fileExists(atPath: path + "/model_index.json") }

    nonisolated(unsafe) private static var cached: StableDiffusionPipeline?
    private static let lock = Lock()

    static func pipeline() throws -> StableDiffusionPipeline {
        try lock.withLock {
            if let cached { return cached }
            let pipe = try StableDiffusionPipeline(path: path)
            cached = pipe
            return pipe
        }
    }

    /// "a red circle on a blue background", "an orange star on a white background" (the training captions'
    /// wording, Scripts/train_shapes/data.py `caption`).
    static func prompt(_ shape: String, _ foreground: NamedColour, _ background: NamedColour) -> String {
        func article(_ word: String) -> String { "aeiou".contains(word.first!) ? "an" : "a" }
        let f = foreground.rawValue, b = background.rawValue
        return "\(article(f)) \(f) \(shape) on \(article(b)) \(b) background"
    }
}
