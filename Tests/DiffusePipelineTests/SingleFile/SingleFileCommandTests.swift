import DiffuseImage
import DiffuseSources
import Testing
import Foundation
import DiffusePipeline
import DiffuseTestSupport

/// `diffuse generate --model file.safetensors` as a process: the same pixels as the folder; a `.ckpt`
/// is refused with one `error:` line and nothing written.
@Suite(.enabled(if: DiffuseBinary.path != nil, "no diffuse binary; run swift build"))
struct SingleFileCommandTests {
    @Test func singleFileGeneratesTheFolderImage() throws {
        let tmp = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let common = ["--steps", "2", "--seed", "1", "--width", "32", "--height", "32", "--quiet", "a red circle"]
        let single = try GenerateCommandTests.run(["--model", SingleFileFixture.path("tiny-sd2"), "--config", FixturePaths.path("tiny-sd2"),
                                                   "--output", "single.png"] + common, in: tmp)
        let folder = try GenerateCommandTests.run(["--model", FixturePaths.path("tiny-sd2"), "--output", "folder.png"] + common, in: tmp)
        #expect(single.status == 0 && folder.status == 0, "\(single.stderr) \(folder.stderr)")
        let a = try RGBImage(contentsOf: tmp + "/single.png"), b = try RGBImage(contentsOf: tmp + "/folder.png")
        #expect(a.pixels == b.pixels)
    }

    @Test(arguments: [["--model", "old.ckpt"], ["--model", FixturePaths.path("tiny-sd1"), "--config", FixturePaths.path("tiny-sd1")]])
    func refusedWithOneLine(_ arguments: [String]) throws {
        let tmp = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try Data("not a pickle, never read".utf8).write(to: URL(fileURLWithPath: tmp + "/old.ckpt"))
        let run = try GenerateCommandTests.run(arguments + ["--output", "out.png", "a cat"], in: tmp)
        #expect(run.status != 0)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "\(run.stderr)")
        #expect(GenerateCommandTests.files(in: tmp) == ["old.ckpt"])
    }
}
