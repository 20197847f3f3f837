import Foundation

extension FakeHub.Repo {
    /// A ControlNet repository laid out as lllyasviel/sd-controlnet-canny, made from Fixtures/controlnet/<name>:
    /// config.json and the weights, beside files Diffuse must not take (an fp16 variant, a `.bin` copy, a README).
    static func controlNet(_ id: String, fixture: String, fp16Only: Bool = false) throws -> FakeHub.Repo {
        let folder = ControlNetSourceSingleFileTests.folder(fixture)
        let weights = try Data(contentsOf: URL(fileURLWithPath: folder + "/diffusion_pytorch_model.safetensors"))
        var files: [String: Data] = [
            "config.json": try Data(contentsOf: URL(fileURLWithPath: folder + "/config.json")),
            "diffusion_pytorch_model.fp16.safetensors": weights,
            "diffusion_pytorch_model.bin": Data("not a pickle".utf8),
            "README.md": Data("# \(fixture)\n".utf8),
        ]
        if !fp16Only { files["diffusion_pytorch_model.safetensors"] = weights }
        return .files(id: id, files)
    }
}
