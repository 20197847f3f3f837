import DiffuseCore
import DiffuseNN
import DiffuseSources

/// Weight stores for a `Precision` (see there for the reasons).
extension StableDiffusionPipeline {
    /// The store of one component of `folder`: its weight files, or the renaming view of a single-file
    /// checkpoint (`ModelFolder.checkpoint`) with the same dtype policy.
    static func weightStore(_ folder: ModelFolder, _ component: SingleFileCheckpoint.Component, precision: Precision,
                            keepF32: @escaping @Sendable (String) -> Bool) throws -> WeightStore {
        if folder.checkpoint != nil {
            let store = try folder.weightStore(component, dtype: precision == .f32 ? .f32 : nil)
            if precision != .f32 {
                let reduced = precision.weightDType
                store.dtypeRule = { key, stored in !stored.isFloatingPoint ? stored : keepF32(key) ? .f32 : reduced }
            }
            return store
        }
        let files = switch component {
        case .unet: folder.unetWeights.files
        case .vae: folder.vaeWeights.files
        case .textEncoder: folder.textEncoderWeights.files
        }
        return try weightStore(files, precision: precision, keepF32: keepF32)
    }

    /// f32: the files memory-mapped and converted to f32 where stored otherwise. f16 / bf16: every
    /// floating tensor converted once to `precision.weightDType` (those for which `keepF32` is true to
    /// f32) and held in memory, in a store with no compute dtype, so that the model computes in f32.
    static func weightStore(_ files: [String], precision: Precision,
                            keepF32: (String) -> Bool) throws -> WeightStore {
        if precision == .f32 { return try WeightStore(files: files, dtype: .f32) }
        var tensors: [String: Tensor] = [:]
        for path in files {
            let file = try SafeTensorsFile(path: path)
            for info in file.infos {
                let target: DType = !info.dtype.isFloatingPoint ? info.dtype
                    : keepF32(info.name) ? .f32 : precision.weightDType
                tensors[info.name] = try file.tensor(info.name, as: target).hostContiguous()
            }
        }
        return WeightStore(tensors: tensors, dtype: nil, source: files.joined(separator: ", "))
    }
}
