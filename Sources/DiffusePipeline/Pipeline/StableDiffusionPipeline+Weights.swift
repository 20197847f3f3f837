import DiffuseCore
import DiffuseModels
import DiffuseNN
import DiffuseSources

/// Weight stores held as `PrecisionPolicy` says.
extension StableDiffusionPipeline {
    /// The tokenizer, text encoder and weight store of `component` (`.textEncoder` / `.textEncoder2`) of
    /// `folder`, or nils when the model has none; its mapped files go into `files`.
    static func loadTextEncoder(_ folder: ModelFolder, _ component: SingleFileCheckpoint.Component, policy: PrecisionPolicy,
                                on backend: any Backend,
                                files: inout [SingleFileCheckpoint.Component: [MappedFile]]) throws -> (CLIPTokenizer?, CLIPTextModel?, WeightStore?) {
        guard folder.textEncoderConfig(component) != nil else { return (nil, nil, nil) }
        let tokenizer = try CLIPTokenizer(folder: folder.componentPath(component == .textEncoder ? "tokenizer" : "tokenizer_2"))
        let weights = try weightStore(folder, component, policy: policy)
        files[component] = weights.mappedFiles
        return (tokenizer, try makeTextEncoder(folder, component, weights: weights, policy: policy, on: backend), weights)
    }

    /// The text encoder `component` built from `weights` (its config must exist).
    static func makeTextEncoder(_ folder: ModelFolder, _ component: SingleFileCheckpoint.Component, weights: WeightStore,
                                policy: PrecisionPolicy, on backend: any Backend) throws -> CLIPTextModel {
        try CLIPTextModel(config: folder.textEncoderConfig(component)!, weights: weights,
                          backend: policy.backend(for: component, on: backend))
    }

    /// The store of one component of `folder`: its weight files, or the renaming view of a single-file
    /// checkpoint (`ModelFolder.checkpoint`) with the same dtype policy.
    static func weightStore(_ folder: ModelFolder, _ component: SingleFileCheckpoint.Component,
                            policy: PrecisionPolicy) throws -> WeightStore {
        let allF32 = policy.weightDType(component) == .f32
        if folder.checkpoint != nil {
            let store = try folder.weightStore(component, dtype: allF32 ? .f32 : nil)
            if !allF32 {
                store.dtypeRule = { key, shape, stored in
                    policy.storageDType(component, key: key, shape: shape, stored: stored)
                }
            }
            return store
        }
        return try weightStore(folder.requiredWeightFiles(component).files, component, policy: policy)
    }

    /// The store of `component`'s weight `files` (a component folder's, or a replacement VAE's). f32: the
    /// files mapped, converted where stored otherwise. f16 / bf16: every floating tensor converted once to its
    /// `PrecisionPolicy.storageDType` (a tensor already stored so is a zero-copy view of its file) and held,
    /// in a store with no compute dtype, so that the models compute in f32 on weights of those dtypes.
    static func weightStore(_ files: [String], _ component: SingleFileCheckpoint.Component,
                            policy: PrecisionPolicy) throws -> WeightStore {
        if policy.weightDType(component) == .f32 { return try WeightStore(files: files, dtype: .f32) }
        var tensors: [String: Tensor] = [:]
        for path in files {
            let file = try SafeTensorsFile(path: path)
            for info in file.infos {
                let target = policy.storageDType(component, key: info.name, shape: info.shape, stored: info.dtype)
                tensors[info.name] = try file.tensor(info.name, as: target).hostContiguous()
            }
        }
        return WeightStore(tensors: tensors, dtype: nil, source: files.joined(separator: ", "))
    }
}

extension ModelFolder {
    /// The config of `.textEncoder` / `.textEncoder2`, nil when the model has no such component.
    func textEncoderConfig(_ component: SingleFileCheckpoint.Component) -> CLIPTextConfig? {
        component == .textEncoder ? textEncoder : component == .textEncoder2 ? textEncoder2 : nil
    }
}
