import ArgumentParser
import Foundation
import DiffuseBench

/// `diffuse bench chart`: a speed-up chart from saved `--json` results (Diffuse's, PyTorch's, several
/// runs together), so that a long run need not be repeated to draw it.
struct BenchChartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chart",
        abstract: "Draw a speed-up chart (SVG or PNG) from JSON lines written by bench --json or Scripts/bench_torch_models.py.")

    @Argument(help: "JSON-lines files with benchmark results.")
    var files: [String]
    @Option(name: .shortAndLong, help: "Output: FILE.svg or FILE.png (repeatable).")
    var output: [String]
    @Option(help: "Chart title (default: arch, component and sizes of the results).")
    var title: String?
    @Option(help: "Caption (default: the machine and date the first file's run printed).")
    var caption: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one results file") }
        guard !output.isEmpty else { throw ValidationError("give --output FILE.svg or FILE.png") }
        for name in output where !(name.hasSuffix(".svg") || name.hasSuffix(".png")) {
            throw ValidationError("--output \(name): the file name must end in .svg or .png")
        }
    }

    func run() throws {
        var results: [BenchResult] = []
        var found: String?
        for path in files {
            do { results += try BenchResult.load(path: path) } catch { throw ValidationError("\(error)") }
            if found == nil, let data = FileManager.default.contents(atPath: path) {
                found = ChartFile.caption(inJSONLines: String(decoding: data, as: UTF8.self))
            }
        }
        let first = results[0]
        let sizes = Set(results.map { "\($0.width)x\($0.height)" }).sorted().joined(separator: ", ")
        let chart = SpeedupChart(results: results,
                                 title: title ?? "\(first.arch) \(first.component) \(sizes): speed-up over vanilla attention",
                                 caption: caption ?? found ?? "")
        for path in output {
            do { try ChartFile.write(chart, to: path) } catch { throw ValidationError("\(error)") }
            print("chart written to \(path)")
        }
    }
}
