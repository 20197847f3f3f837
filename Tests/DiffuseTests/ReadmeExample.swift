import Diffuse

// The lines between the markers are README.md's "Use as a library" example, verbatim (the README adds
// one line that calls `draw`). ReadmeExampleTests checks that the two stay equal and runs this code.
// BEGIN README EXAMPLE
/// Draws `prompt` with the diffusers model folder `model` and saves the picture as a PNG.
func draw(_ prompt: String, model: String, to file: String) throws {
    let folder = try ModelFolder(path: model)                   // model_index.json, configs, weights
    let pipeline = try StableDiffusionPipeline(folder: folder)  // f32 on the CPU backend
    var config = GenerationConfiguration(prompt: prompt)
    config.seed = 42                                            // torch.Generator("cpu").manual_seed(42)
    config.steps = 20
    let result = try pipeline.generate(config)
    try result.rgbImages[0].writePNG(to: file)
}
// END README EXAMPLE
