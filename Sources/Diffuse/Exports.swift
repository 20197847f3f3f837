// The library a user imports: `import Diffuse` gives every layer of the package (Package.swift lists
// them), so that an app needs one import to load a model, build a pipeline, generate and save images.
//
//     import Diffuse
//     let pipeline = try StableDiffusionPipeline(folder: ModelFolder(path: "Models/diffuse-shapes"))
//
// README.md ("Use as a library") has the whole example; Tests/DiffuseTests runs it.

/// Tensor, DType, safetensors, the Backend protocol.
@_exported import DiffuseCore
/// The CPU backend and its kernels (what runs the models).
@_exported import DiffuseCPU
/// Modules: Linear, Conv2d, norms, Attention and its processors, WeightStore.
@_exported import DiffuseNN
/// The CLIP tokenizer and text encoder, UNet2DConditionModel, AutoencoderKL, typed configs.
@_exported import DiffuseModels
/// Schedulers, SchedulerConfig, TorchRandomSource.
@_exported import DiffuseSchedulers
/// Compile mode: CompiledUNet.
@_exported import DiffuseCompile
/// PNG / JPEG read and write, RGBImage.
@_exported import DiffuseImage
/// Model folders, the Hugging Face cache and hub, single-file checkpoints: ModelFolder, ModelSource.
@_exported import DiffuseSources
/// StableDiffusionPipeline and its configuration.
@_exported import DiffusePipeline
