import DiffuseImage
import Testing
import Foundation
import DiffusePipeline
import DiffuseTestSupport

/// What users of other tools expect of the command line (issue #20): `--seed -1`, A1111's sampler names
/// and `--cfg-scale`, `--version`, `--json`, and exit code 64 for what the parser refuses.
@Suite(.enabled(if: DiffuseBinary.path != nil, "no diffuse binary; run swift build"))
struct GenerateHabitsTests {
    static let model = ["--model", FixturePaths.path("tiny-sd1"), "--steps", "2"]

    static func parameters(_ path: String) throws -> String {
        try RGBImage.pngText(contentsOf: path).first { $0.key == "parameters" }?.value ?? ""
    }

    @Test func seedMinusOneIsRandom() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try GenerateCommandTests.run(Self.model + ["--seed", "-1", "a cat"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let seed = run.stdout.split(separator: "\n").first { $0.hasPrefix("Seed: ") }.map { String($0.dropFirst(6)) }
        let files = GenerateCommandTests.files(in: folder)
        #expect(seed != nil && files == ["diffuse-\(seed!).png"], "\(run.stdout) \(files)")
    }

    @Test func a1111SamplerNamesAndCfgScale() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, written) in [("DPM++ 2M Karras", "DPM++ 2M Karras"), ("Euler a", "Euler a"), ("PLMS", "PNDM"), ("k_lms", "LMS")] {
            let run = try GenerateCommandTests.run(Self.model + ["--seed", "4", "--sampler", name, "--cfg-scale", "5",
                                                                 "--output", "out.png", "--overwrite", "a cat"], in: folder)
            #expect(run.status == 0, "\(name): \(run.stderr)")
            let parameters = try Self.parameters(folder + "/out.png")
            #expect(parameters.contains("Sampler: \(written), CFG scale: 5.0, Seed: 4"), "\(name): \(parameters)")
        }
    }

    @Test func version() throws {
        let run = try GenerateCommandTests.run([], in: FileManager.default.temporaryDirectory.path, command: "--version")
        #expect(run.status == 0)
        #expect(run.stdout == "diffuse \(DiffuseVersion.current)\n")
    }

    @Test func jsonReport() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try GenerateCommandTests.run(Self.model + ["--seed", "8", "--images", "2", "--json", "--output", "x.png", "a cat"],
                                               in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(report?["paths"] as? [String] == ["x-0.png", "x-1.png"], "\(run.stdout)")
        #expect(report?["seed"] as? Int == 8 && report?["width"] as? Int == 32 && report?["steps"] as? Int == 2)
        #expect(report?["version"] as? String == DiffuseVersion.current)
        #expect((report?["total_seconds"] as? Double ?? -1) >= (report?["generation_seconds"] as? Double ?? 0))
        #expect(run.stderr.contains("Wrote x-0.png"))
    }

    /// What ArgumentParser refuses (a seed under -1, an unknown option) is a usage error: exit 64.
    @Test func usageErrorsExit64() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for arguments in [["--seed", "-2", "a cat"], ["--no-such-option", "a cat"]] {
            let run = try GenerateCommandTests.run(Self.model + arguments, in: folder)
            #expect(run.status == 64, "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        #expect(GenerateCommandTests.files(in: folder).isEmpty)
    }
}
