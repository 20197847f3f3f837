import DiffuseSources
import Testing
import Foundation
import DiffusePipeline
import DiffuseTestSupport

/// `--model` routing through `ModelSource.open`: a `.safetensors` file opens as a single-file
/// checkpoint (configs from `--config` or recognised), options that do not apply are refused, and
/// `diffuse inspect` says where the weights and configs came from.
struct SingleFileSourceTests {
    @Test func fileOpensAsSingleFileCheckpointWithItsConfigFolder() throws {
        let (folder, resolved) = try ModelSource.open(ModelSource.Request(
            model: SingleFileFixture.path("tiny-sd1"), config: FixturePaths.path("tiny-sd1")))
        #expect(folder.checkpoint?.path == SingleFileFixture.path("tiny-sd1"))
        #expect(resolved.origin == .singleFile(configs: FixturePaths.path("tiny-sd1"), recognised: false))
        #expect(resolved.location == "single-file checkpoint \(SingleFileFixture.path("tiny-sd1")), configs from \(FixturePaths.path("tiny-sd1"))")
    }

    @Test func optionsThatDoNotApplyAreRefused() throws {
        let cases: [ModelSource.Request] = [
            .init(model: FixturePaths.path("tiny-sd1"), config: FixturePaths.path("tiny-sd1")),
            .init(model: FixturePaths.path("tiny-sd2"), predictionType: "epsilon"),
            .init(model: SingleFileFixture.path("tiny-sd1"), variant: "fp16", config: FixturePaths.path("tiny-sd1")),
            .init(model: SingleFileFixture.path("tiny-sd1"), config: SingleFileFixture.path("tiny-sd2")),
        ]
        for request in cases {
            #expect(throws: ModelSourceError.self, "\(request)") { try ModelSource.open(request) }
            do { _ = try ModelSource.open(request) } catch let error as ModelSourceError {
                #expect(error.kind == .invalidOption, "\(error)")
            }
        }
    }
}

@Suite(.enabled(if: DiffuseBinary.path != nil, "no diffuse binary; run swift build"))
struct SingleFileInspectTests {
    @Test func inspectSaysWhereWeightsAndConfigsCameFrom() throws {
        let tmp = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try GenerateCommandTests.run(["--model", SingleFileFixture.path("tiny-sd2"), "--config", FixturePaths.path("tiny-sd2")],
                                               in: tmp, command: "inspect")
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("found: single-file checkpoint \(SingleFileFixture.path("tiny-sd2")), configs from \(FixturePaths.path("tiny-sd2"))"), "\(run.stdout)")
        #expect(lines.filter { $0.hasSuffix("in the single file") || $0.contains(": in the single file,") }.count == 3, "\(run.stdout)")
        #expect(lines.last == "ok: every component loads")
    }
}
