/// The files of a ControlNet repository (`--controlnet org/name`, `HubLayout.controlNet`): config.json and
/// the weights at its root, as `ControlNetModel.from_pretrained(id)` reads them — lllyasviel/sd-controlnet-canny,
/// lllyasviel/control_v11p_sd15_canny, diffusers/controlnet-canny-sdxl-1.0, thibaud/controlnet-sd21-*-diffusers.
/// The default `diffusion_pytorch_model.safetensors` (or its shards) when present, else its fp16 variant, as
/// `ControlNetFiles(folder:)` then opens it; never the `.bin` copies, other variants or sample images.
extension HubFileSelection {
    static func selectControlNet(siblings: [String], model: String, revision: String) throws -> HubFileSelection {
        func missing(_ what: String) -> ModelSourceError {
            ModelSourceError(.incompleteRepo, model: model, message: "revision \"\(revision)\" on the hub \(what)")
        }
        guard siblings.contains("config.json") else {
            if siblings.contains("controlnet/config.json") {
                throw missing("is a pipeline repository with its ControlNet in controlnet/; download it and give the path of its controlnet/ folder")
            }
            if siblings.contains("model_index.json") {
                throw missing("is a pipeline repository (model_index.json), not a ControlNet; give it as --model")
            }
            let files = siblings.filter { !$0.contains("/") && $0.lowercased().hasSuffix(".safetensors") }.sorted()
            let advice = files.isEmpty ? "" : "; for a repository of single-file ControlNets (\(files.prefix(3).joined(separator: ", "))), download the file and pass its path"
            throw missing("has no config.json at its root: not a diffusers ControlNet repository (such as lllyasviel/sd-controlnet-canny: config.json + diffusion_pytorch_model.safetensors)" + advice)
        }
        let base = "diffusion_pytorch_model"
        let hasDefault = siblings.contains(base + ".safetensors") || siblings.contains(base + ".safetensors.index.json")
        let hasFP16 = siblings.contains(base + ".fp16.safetensors") || siblings.contains(base + ".safetensors.index.fp16.json")
            || siblings.contains(base + ".fp16.safetensors.index.json")
        return try selectComponent(siblings: siblings, variant: !hasDefault && hasFP16 ? "fp16" : nil, model: model, revision: revision)
    }
}
