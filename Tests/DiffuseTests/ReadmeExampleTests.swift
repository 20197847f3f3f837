#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import Diffuse
import DiffuseTestSupport

/// README.md's "Use as a library" example (mirrored in ReadmeExample.swift) compiles against
/// `import Diffuse` alone, runs on the tiny fixture model, and cannot drift from the README.
@Suite struct ReadmeExampleTests {
    static let repository = FixturePaths.root + "/.."

    /// The lines between `from` and `to` (exclusive) of `text`.
    static func lines(of text: String, from start: String, to end: String) -> [String] {
        let all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = all.firstIndex(where: { $0.hasPrefix(start) }),
              let last = all[(first + 1)...].firstIndex(where: { $0.hasPrefix(end) }) else { return [] }
        return Array(all[(first + 1)..<last])
    }

    static func read(_ relative: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: repository + "/" + relative)), as: UTF8.self)
    }

    @Test func readmeShowsTheTestedCode() throws {
        let section = Self.lines(of: try Self.read("README.md"), from: "## Use as a library", to: "## ")
        let readme = Self.lines(of: section.joined(separator: "\n"), from: "```swift", to: "```")
        let mirrored = Self.lines(of: try Self.read("Tests/DiffuseTests/ReadmeExample.swift"),
                                  from: "// BEGIN README EXAMPLE", to: "// END README EXAMPLE")
        #expect(!mirrored.isEmpty)
        // The README block: `import Diffuse`, a blank line, the mirrored lines, a blank line, the call.
        #expect(readme.first == "import Diffuse")
        #expect(Array(readme.dropFirst(2).prefix(mirrored.count)) == mirrored)
        #expect(readme.last?.hasPrefix("try draw(") == true)
    }

    @Test func exampleDrawsAPNG() throws {
        let size = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd1")).defaultSize
        let image = try Self.drawnImage()
        #expect(image.width == size.width && image.height == size.height)
    }

    /// The README's `draw` on the tiny fixture model, read back from its PNG.
    static func drawnImage() throws -> RGBImage {
        let output = FileManager.default.temporaryDirectory.path + "/diffuse-readme-\(UInt32.random(in: 0...UInt32.max)).png"
        defer { try? FileManager.default.removeItem(atPath: output) }
        try draw("a red circle on a blue background", model: FixturePaths.path("tiny-sd1"), to: output)
        return try RGBImage(contentsOf: output)
    }
}
