import Testing
import Foundation
import DiffusePipeline

/// `diffuse generate` without `--model` (the built binary, as GenerateCommandTests runs it): from a folder
/// outside the repository it finds Models/diffuse-shapes above the executable and draws the prompt;
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

    @Test func drawsThePromptWithoutModel() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try Self.run(["--seed", "3", "--steps", "20", "--quiet", "a red circle on a blue background"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let image = try RGBImage(contentsOf: folder + "/diffuse-3.png")
        #expect(image.width == 64 && image.height == 64)   // the model's default size: 16 × VAE factor 4
        #expect(SceneColours(image) == SceneColours(foreground: .red, background: .blue), "saw \(SceneColours(image))")
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
