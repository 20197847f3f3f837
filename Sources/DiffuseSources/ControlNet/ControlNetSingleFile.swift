import DiffuseCore
import DiffuseModels
import DiffuseNN

/// A ControlNet in one `.safetensors` file, as diffusers' `ControlNetModel.from_single_file` reads it
/// (loaders/single_file_model.py, single_file_utils.py `convert_controlnet_checkpoint`): in the original
/// `cldm` layout (lllyasviel/ControlNet-v1-1's `control_v11p_sd15_canny` converted to safetensors,
/// thibaud/controlnet-sd21, civitai), with or without the `control_model.` prefix, or already in diffusers'
/// layout (xinsir's and lllyasviel/sd_control_collection's `diffusers_xl_*` files). Nothing is converted:
/// the `WeightStore` is a renaming view over the memory-mapped file (`OriginalControlNetMapping`).
///
/// Pickles (`.pth`, `.ckpt`, `.pt`, `.bin`) are refused before anything is read.
public struct ControlNetSingleFile: Sendable {
    public let path: String
    public let file: SafeTensorsFile
    public let layout: ControlNetFileLayout

    /// Opens the file and tells its layout; throws `SingleFileError` (a pickle, no such file, not a
    /// ControlNet — naming what it looks like) or the safetensors error naming the file.
    public init(path: String) throws {
        try Self.refusePickle(path)
        guard ModelFolder.isFile(path) else {
            throw SingleFileError(.unreadable, path: path,
                message: ModelFolder.isDirectory(path) ? "is a folder, not a ControlNet file" : "no such file")
        }
        guard path.lowercased().hasSuffix(".safetensors") else {
            throw SingleFileError(.unreadable, path: path,
                message: "not a .safetensors file; a single-file ControlNet must be safetensors (or give a diffusers ControlNet folder)")
        }
        self.path = path
        file = try SafeTensorsFile(path: path)
        layout = try ControlNetFileLayout.detect(file.names, path: path)
    }

    /// Throws the pickle refusal for `.ckpt` / `.pt` / `.pth` / `.bin` (the wording of
    /// `SingleFileCheckpoint.refusePickle`, with diffusers' ControlNet conversion to run instead).
    public static func refusePickle(_ path: String) throws {
        let lower = path.lowercased()
        guard let ext = SingleFileCheckpoint.pickleExtensions.first(where: lower.hasSuffix) else { return }
        throw SingleFileError(.pickle, path: path, message:
            "\(ext) files are PyTorch pickles, and loading a pickle can run arbitrary code, so Diffuse does not read them. "
            + "Convert it once with diffusers: python -c \"from diffusers import ControlNetModel; "
            + "ControlNetModel.from_single_file('\(path)').save_pretrained('controlnet-dir')\" "
            + "and pass the folder (or save the state dict with safetensors and pass the .safetensors file)")
    }

    /// Stored tensor name → shape.
    var shapes: [String: [Int]] { Dictionary(file.infos.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a }) }

    /// The key mapping for `config`; nil in diffusers' layout (keys as stored).
    func mapping(config: ControlNetConfig) -> OriginalControlNetMapping? {
        Self.mapping(layout: layout, config: config, names: Set(file.names))
    }

    static func mapping(layout: ControlNetFileLayout, config: ControlNetConfig, names: Set<String>) -> OriginalControlNetMapping? {
        guard case .original(let prefix) = layout else { return nil }
        return OriginalControlNetMapping(config: config, prefix: prefix, names: names)
    }

    /// The ControlNet's tensors by diffusers key for `config`; `dtype` as `WeightStore(files:dtype:)`.
    /// In the original layout, only the prefix's tensors are the ControlNet's (a full `cldm` checkpoint's
    /// `model.diffusion_model.*` and others are ignored); missing ones are named in both layouts.
    public func weightStore(config: ControlNetConfig, dtype: DType?) throws -> WeightStore {
        let source = "\(path) (controlnet)"
        let store = try mapping(config: config).map { WeightStore(file: file, mapping: $0, dtype: dtype, source: source) }
            ?? WeightStore(files: [path], dtype: dtype, source: source)
        store.hint = "Check that the config (\(config.sourceFile)) describes this ControlNet"
            + (layout == .diffusers ? "." : "; missing tensors are named by their original-layout key (→ the diffusers key they load into).")
        return store
    }
}
