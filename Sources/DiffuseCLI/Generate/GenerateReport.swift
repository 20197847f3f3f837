import DiffusePipeline
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `diffuse generate --json`: one JSON object on stdout saying what was written —
/// `{"version": "…", "paths": ["out.png"], "seed": 42, "width": 512, "height": 512, "steps": 20,
/// "generation_seconds": 3.1, "total_seconds": 4.0}` (keys sorted). `generation_seconds`: text encoding,
/// denoising and decoding; `total_seconds`: the whole command, model loading included.
struct GenerateReport: Encodable {
    var version = DiffuseVersion.current
    var paths: [String]
    var seed: UInt64
    var width: Int
    var height: Int
    var steps: Int
    var generationSeconds: Double
    var totalSeconds: Double

    enum CodingKeys: String, CodingKey {
        case version, paths, seed, width, height, steps
        case generationSeconds = "generation_seconds", totalSeconds = "total_seconds"
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
