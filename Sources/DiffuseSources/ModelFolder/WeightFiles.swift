/// The safetensors files that hold one component's weights.
public struct WeightFiles: Sendable, Equatable {
    /// Absolute paths of the files to load, in order (one file, or the shards sorted by name).
    public var files: [String]
    /// The `*.safetensors.index.json` the shards came from, if sharded.
    public var indexFile: String?
    /// For sharded checkpoints: tensor name → shard file name (relative to the component folder),
    /// from the index's `weight_map`.
    public var weightMap: [String: String]?
    /// The variant these files are (e.g. `"fp16"`), nil for the default weights.
    public var variant: String?

    public init(files: [String], indexFile: String? = nil, weightMap: [String: String]? = nil, variant: String? = nil) {
        self.files = files
        self.indexFile = indexFile
        self.weightMap = weightMap
        self.variant = variant
    }

    public var isSharded: Bool { indexFile != nil }
}
