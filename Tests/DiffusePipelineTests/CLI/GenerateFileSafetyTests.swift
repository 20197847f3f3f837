import DiffuseImage
import Testing
import Foundation
import DiffusePipeline
import DiffuseTestSupport

/// `diffuse generate` never loses a user's file (issue #20): a taken output name is not replaced without
/// `--overwrite` (the next free name is used), symlinks / folders are refused as outputs, a batch keeps
/// the files that were there, and SIGTERM / SIGINT leave nothing behind and exit 143 / 130.
@Suite(.enabled(if: DiffuseBinary.path != nil, "no diffuse binary; run swift build"))
struct GenerateFileSafetyTests {
    static let model = ["--model", FixturePaths.path("tiny-sd1"), "--steps", "2", "--seed", "5"]
    static let old = Data("a file the user had".utf8)

    static func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test func takenNameIsNotReplacedWithoutOverwrite() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.old.write(to: URL(fileURLWithPath: folder + "/out.png"))
        let run = try GenerateCommandTests.run(Self.model + ["--output", "out.png", "a cat"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.contents(folder + "/out.png") == Self.old)
        #expect(run.stdout.contains("Wrote ./out.2.png (out.png exists; --overwrite replaces it)") ||
                run.stdout.contains("Wrote out.2.png (out.png exists; --overwrite replaces it)"), "\(run.stdout)")
        #expect((try? RGBImage(contentsOf: folder + "/out.2.png")) != nil)

        let again = try GenerateCommandTests.run(Self.model + ["--output", "out.png", "--overwrite", "a cat"], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Self.contents(folder + "/out.png") == Self.contents(folder + "/out.2.png"))
        #expect(GenerateCommandTests.files(in: folder) == ["out.2.png", "out.png"])
    }

    @Test func batchKeepsTheFilesThatWereThere() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.old.write(to: URL(fileURLWithPath: folder + "/out-1.png"))
        let run = try GenerateCommandTests.run(Self.model + ["--images", "2", "--output", "out.png", "a cat"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.contents(folder + "/out-1.png") == Self.old)
        #expect(GenerateCommandTests.files(in: folder) == ["out-0.png", "out-1.2.png", "out-1.png"])
    }

    @Test(arguments: [false, true])
    func symlinksAndFoldersAreRefused(_ overwrite: Bool) throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.old.write(to: URL(fileURLWithPath: folder + "/target.txt"))
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.png", withDestinationPath: "target.txt")
        try FileManager.default.createDirectory(atPath: folder + "/dir.png", withIntermediateDirectories: false)
        for (name, kind) in [("link.png", "a symlink"), ("dir.png", "a folder")] {
            let run = try GenerateCommandTests.run(Self.model + ["--output", name, "a cat"] + (overwrite ? ["--overwrite"] : []),
                                                   in: folder)
            #expect(run.status == 1)
            #expect(run.stderr == "error: --output \(name): \(kind) is there; outputs are written only to regular files — choose another name\n",
                    "\(run.stderr)")
        }
        #expect(Self.contents(folder + "/target.txt") == Self.old)
        #expect(GenerateCommandTests.files(in: folder) == ["dir.png", "link.png", "target.txt"])
    }

    /// SIGTERM / SIGINT while the model loads or denoises: one error line, exit 128 + signal, no file left
    /// (not even a temporary one).
    @Test(arguments: [(SIGTERM, "SIGTERM"), (SIGINT, "Ctrl-C")])
    func signalLeavesNothingBehind(_ signal: (Int32, String)) throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DiffuseBinary.path!)
        process.arguments = ["generate", "--model", FixturePaths.path("tiny-sd1"), "--steps", "999", "--seed", "1",
                             "--images", "4", "--preview", "preview.png", "--preview-every", "1", "--output", "out.png", "a cat"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        // Wait for the first step line, so the signal lands while denoising (and writing previews).
        let reader = err.fileHandleForReading
        var text = ""
        while !text.contains("step "), process.isRunning {
            let data = reader.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        kill(process.processIdentifier, signal.0)
        text += String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 128 + signal.0, "\(text)")
        #expect(text.hasSuffix("error: interrupted (\(signal.1)); no image was written\n"), "\(text.suffix(300))")
        let left = GenerateCommandTests.files(in: folder).filter { $0 != "preview.png" }
        #expect(left.isEmpty, "\(left)")
    }
}
