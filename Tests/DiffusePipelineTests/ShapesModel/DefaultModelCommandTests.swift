import DiffuseImage
import Testing
import Foundation
import DiffusePipeline

/// `diffuse generate` without `--model` (the built binary, as GenerateCommandTests runs it): from a folder
/// outside the repository it finds Models/diffuse-shapes above the executable and draws with it;
/// a DIFFUSE_DEFAULT_MODEL that is not a model folder is one `error:` line and nothing written.
@Suite(.enabled(if: DiffuseBinary.path != nil && ShapesModel.isPresent, "no diffuse binary or no Models/diffuse-shapes"))
struct DefaultModelCommandTests {
    static func run(_ arguments: [String], in folder: String, environment: [String: String] = [:])
        throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DiffuseBinary.path!)
        process.arguments = ["generate"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var env = ProcessInfo.processInfo.environment
        env["DIFFUSE_DEFAULT_MODEL"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errData, as: UTF8.self))
    }

    /// Run from a temporary folder, so only the executable's location can lead to the model; the PNG is
    /// the library's image for the same settings on Models/diffuse-shapes (within 1 level of 255: the
    /// PNG path rounds as `RGBImage(tensor:)` does, so equal in practice).
    @Test func usesTheDefaultModel() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let prompt = "a red circle on a blue background"
        let run = try Self.run(["--seed", "3", "--steps", "10", "--quiet", prompt], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let image = try RGBImage(contentsOf: folder + "/diffuse-3.png")
        #expect(image.width == 64 && image.height == 64)   // the model's default size: 16 × VAE factor 4
        let parameters = try RGBImage.pngText(contentsOf: folder + "/diffuse-3.png").first { $0.key == "parameters" }?.value ?? ""
        // Model hash: `sha256sum Models/diffuse-shapes/unet/diffusion_pytorch_model.safetensors | cut -c1-10`.
        #expect(parameters.hasSuffix("Size: 64x64, Model hash: 1ba1a668d7, Model: diffuse-shapes, Version: \(DiffuseVersion.tag)"), "\(parameters)")
        var config = GenerationConfiguration(prompt: prompt)
        config.steps = 10
        config.seed = 3
        let expected = try ShapesModel.pipeline().generate(config).rgbImages[0]
        let worst = zip(image.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 255
        #expect(worst <= 1, "largest pixel difference \(worst)")
    }

    @Test func badEnvironmentVariableIsOneErrorLine() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try Self.run(["--steps", "2", "a cat"], in: folder, environment: ["DIFFUSE_DEFAULT_MODEL": folder])
        #expect(run.status != 0)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("error: DIFFUSE_DEFAULT_MODEL="), "\(run.stderr)")
        #expect(GenerateCommandTests.files(in: folder).isEmpty)
    }
}
