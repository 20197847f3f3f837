import DiffuseBench
import DiffuseNN
import DiffuseTestSupport
import Foundation
import Testing

/// `diffuse bench unet|vae|pipeline --baseline torch,openvino,onnxruntime` (issue #21): the option, the
/// message when a baseline's Python module is missing, and the table and JSON lines of ratios — from
/// canned script output, so no Python is needed.
struct BenchBaselineTests {
    @Test func baselineListsParse() throws {
        #expect(try BenchBaseline.parse(["torch,openvino,onnxruntime"]) == [.torch, .openvino, .onnxruntime])
        #expect(try BenchBaseline.parse(["onnxruntime", " openvino , torch"]) == [.onnxruntime, .openvino, .torch])
        #expect(try BenchBaseline.parse(["OpenVINO,openvino"]) == [.openvino])                 // case, once each
        #expect(try BenchBaseline.parse([], torch: true) == [.torch])                          // --torch alias
        #expect(try BenchBaseline.parse(["openvino,torch"], torch: true) == [.torch, .openvino])
        #expect(try BenchBaseline.parse([]) == [])
        #expect(try BenchBaseline.parse(["ort,ov"]) == [.onnxruntime, .openvino])
    }

    @Test func badBaselineNamesListTheValidOnes() {
        for values in [["torch,tensorrt"], ["openvino,"], [""]] {
            do {
                _ = try BenchBaseline.parse(values)
                Issue.record("\(values) parsed")
            } catch {
                #expect("\(error)".contains("torch, openvino, onnxruntime"), "\(error)")
                #expect("\(error)".contains("--baseline"), "\(error)")
            }
        }
    }

    /// A missing module names the package to pip install, with the interpreter that lacks it.
    @Test func missingModuleNamesWhatToInstall() {
        let traceback = ["Traceback (most recent call last):", "  File \"Scripts/bench_openvino.py\", line 3, in <module>",
                         "ModuleNotFoundError: No module named 'openvino'"]
        let openvino = BenchBaseline.openvino.failureMessage(output: traceback, python: "/venv/bin/python")
        #expect(openvino.contains("OpenVINO baseline skipped"), "\(openvino)")
        #expect(openvino.contains("`/venv/bin/python -m pip install openvino`"), "\(openvino)")
        let ort = BenchBaseline.onnxruntime.failureMessage(
            output: ["ModuleNotFoundError: No module named 'onnxruntime' — ONNX Runtime baseline needs it"], python: "python3")
        #expect(ort.contains("pip install onnxruntime onnx"), "\(ort)")
        let torch = BenchBaseline.openvino.failureMessage(output: ["ModuleNotFoundError: No module named 'diffusers.models'"],
                                                          python: "python3")
        #expect(torch.contains("no Python module 'diffusers'") && torch.contains("pip install torch diffusers transformers`"), "\(torch)")
        // Several missing (an interpreter without torch nor openvino): every package, once.
        let both = BenchBaseline.openvino.failureMessage(
            output: ["ModuleNotFoundError: No module named 'torch' — …", "ModuleNotFoundError: No module named 'diffusers' — …",
                     "ModuleNotFoundError: No module named 'openvino' — …"], python: "python3")
        #expect(both.contains("no Python modules 'torch', 'diffusers', 'openvino'; install them with "
                              + "`python3 -m pip install torch diffusers transformers openvino`"), "\(both)")
        // Anything else: the script's last lines, and what it needs.
        let other = BenchBaseline.onnxruntime.failureMessage(output: ["", "RuntimeError: boom", ""], python: "python3")
        #expect(other.contains("RuntimeError: boom") && other.contains("onnxruntime, onnx"), "\(other)")
        #expect(BenchBaseline.torch.failureMessage(output: [], python: "nope").contains("printed nothing"))
    }

    static func diffuse(_ attention: AttentionChoice, batch: Int, seconds: Double, compiled: Bool = false) -> BenchResult {
        let cell = BenchCell(arch: "sd15", component: .unet, width: 256, height: 256, batch: batch,
                             attention: attention, precision: .f32, compiled: compiled)
        var r = BenchResult(source: "diffuse", cell: cell, threads: 2, status: .ok)
        r.secondsPerStep = seconds
        r.peakRSSBytes = 4_000_000_000
        return r
    }

    /// What the scripts print (json.dumps: spaces, floats in full, extra fields).
    static func line(_ source: String, batch: Int, seconds: Double?, compiled: Bool = false, status: String = "ok",
                     version: String? = nil) -> String {
        #"{"source": "\#(source)", "arch": "sd15", "component": "unet", "width": 256, "height": 256, "batch": \#(batch), "attention": "sdpa", "precision": "f32", "compiled": \#(compiled), "threads": 2, "status": "\#(status)", "reason": null, "seconds_per_step": \#(seconds.map { "\($0)" } ?? "null"), "images_per_second": null, "peak_rss_bytes": 2000000000, "peak_tensor_bytes": null, "predicted_bytes": 1, "speedup_vs_vanilla": null\#(version.map { #", "version": "\#($0)", "convert_seconds": 40.5, "compile_seconds": 44.0"# } ?? "")}"#
    }

    /// One column pair per baseline, in the order they ran: its seconds and Diffuse / it; a cell the
    /// baseline lacks or could not run shows "-" or its status; OpenVINO and ONNX Runtime (no compiled
    /// rows) are compared with Diffuse's compiled cells too, PyTorch (with compiled rows) only like for like.
    @Test func tableAndRatiosFromCannedLines() throws {
        let mine = [Self.diffuse(.flash, batch: 2, seconds: 2.47), Self.diffuse(.flash, batch: 2, seconds: 2.42, compiled: true),
                    Self.diffuse(.flash, batch: 4, seconds: 5)]
        let lines = [Self.line("torch", batch: 2, seconds: 2.08), Self.line("torch", batch: 2, seconds: nil, compiled: true, status: "error"),
                     Self.line("openvino", batch: 2, seconds: 1.39, version: "openvino 2026.4.1"),
                     Self.line("openvino", batch: 4, seconds: nil, status: "oom", version: "openvino 2026.4.1"),
                     Self.line("onnxruntime", batch: 2, seconds: 1.44, version: "onnxruntime 1.32.0")]
        let others = try lines.map { try BenchResult(jsonLine: $0) }
        #expect(others[2].version == "openvino 2026.4.1" && others[2].compileSeconds == 44)
        let comparison = BaselineComparison(diffuse: mine, others: others)
        #expect(comparison.sources == ["torch", "openvino", "onnxruntime"])

        let table = comparison.table
        #expect(table.count == 1 + mine.count)
        let header = table[0].split(separator: " ")
        #expect(Array(header.suffix(6)) == ["torch", "÷torch", "openvino", "÷openvino", "onnxruntime", "÷onnxruntime"], "\(table[0])")
        let eager = table[1].split(separator: " ").map(String.init)
        #expect(Array(eager.suffix(7)) == ["2.4700", "2.0800", "1.19×", "1.3900", "1.78×", "1.4400", "1.72×"], "\(table[1])")
        let compiled = table[2].split(separator: " ").map(String.init)
        #expect(compiled.contains("flash+c"))
        #expect(Array(compiled.suffix(7)) == ["2.4200", "error", "-", "1.3900", "1.74×", "1.4400", "1.68×"], "\(table[2])")
        let four = table[3].split(separator: " ").map(String.init)
        #expect(Array(four.suffix(6)) == ["-", "-", "oom", "-", "-", "-"], "\(table[3])")
        #expect(comparison.legend.contains("openvino 2026.4.1, onnxruntime 1.32.0"))

        // --json: a line per Diffuse cell and baseline, never read back as a result.
        let ratios = comparison.ratios
        #expect(ratios.count == 3 * mine.count)
        let ov = try #require(ratios.first { $0.baseline == "openvino" && $0.batch == 2 && !$0.compiled })
        #expect(ov.timeRatio == 1.777 && ov.memoryRatio == 2 && ov.baselineSeconds == 1.39 && ov.version == "openvino 2026.4.1")
        let json = JSONLine.encode(ov)
        #expect(json.contains("\"time_ratio\":1.777") && json.contains("\"baseline\":\"openvino\""), "\(json)")
        #expect(try JSONLine.decode(BenchRatio.self, from: json) == ov)
        #expect((try? BenchResult(jsonLine: json)) == nil)
        #expect(!json.contains("\"status\""))
    }

    /// Diffuse's own JSON lines do not gain a version field; a baseline's keeps it.
    @Test func versionIsWrittenOnlyWhenKnown() throws {
        #expect(!Self.diffuse(.flash, batch: 1, seconds: 1).jsonLine.contains("version"))
        let ov = try BenchResult(jsonLine: Self.line("openvino", batch: 1, seconds: 1, version: "openvino 2026.4.1"))
        #expect(ov.jsonLine.contains("\"version\":\"openvino 2026.4.1\""))
        #expect(try BenchResult(jsonLine: ov.jsonLine) == ov)
    }
}

/// The whole command on the tiny SD 1 fixture with a fake interpreter standing in for Python: one
/// baseline lacks its module (a message, the run goes on), another prints canned results (a column and a
/// ratio); bad names are a usage error (exit 64).
@Suite(.enabled(if: DiffuseBinary.path != nil, "no diffuse binary; run swift build"))
struct BenchBaselineCommandTests {
    static let root = FixturePaths.root + "/.."
    static let grid = ["unet", "--model", FixturePaths.path("tiny-sd1"), "--size", "64", "--batch", "1",
                       "--attention", "flash", "--warmup", "0", "--repeats", "1"]

    /// A shell script answering as the baseline scripts would: OpenVINO missing, ONNX Runtime one result.
    static func fakePython(in folder: String) throws -> String {
        let row = #"{"source": "onnxruntime", "arch": "tiny-sd1", "component": "unet", "width": 64, "height": 64, "batch": 1, "attention": "sdpa", "precision": "f32", "compiled": false, "threads": 2, "status": "ok", "reason": null, "seconds_per_step": 1e-06, "images_per_second": 1000000.0, "peak_rss_bytes": 1000, "peak_tensor_bytes": null, "predicted_bytes": 1, "speedup_vs_vanilla": null, "version": "onnxruntime 9.9"}"#
        let script = """
            #!/bin/sh
            case "$1" in
              *bench_openvino.py) echo "Traceback (most recent call last):"; echo "ModuleNotFoundError: No module named 'openvino'"; exit 1 ;;
              *bench_onnxruntime.py) echo 'converting…'; echo '\(row)' ;;
              *) echo "unexpected $*"; exit 2 ;;
            esac
            """
        let path = folder + "/python"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func missingModuleIsANoteAndOtherBaselinesStillRun() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let python = try Self.fakePython(in: folder)
        let run = try GenerateCommandTests.run(Self.grid + ["--baseline", "openvino,onnxruntime", "--python", python],
                                               in: Self.root, command: "bench")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("OpenVINO baseline skipped: \(python) has no Python module 'openvino'; install it with `\(python) -m pip install openvino`"), "\(run.stdout)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.contains("÷onnxruntime") }, "\(run.stdout)")
        #expect(!header.contains("openvino"))
        let row = try #require(lines.last { $0.hasPrefix("64x64") && $0.contains("flash") }, "\(run.stdout)")
        #expect(row.contains("0.0000") && row.hasSuffix("×"), "\(row)")
        #expect(run.stdout.contains("onnxruntime 9.9"))

        let json = try GenerateCommandTests.run(Self.grid + ["--baseline", "onnxruntime", "--python", python, "--json"],
                                                in: Self.root, command: "bench")
        #expect(json.status == 0, "\(json.stderr)")
        let ratio = try #require(json.stdout.split(separator: "\n").first { $0.contains("\"time_ratio\"") }, "\(json.stdout)")
        let parsed = try JSONLine.decode(BenchRatio.self, from: ratio)
        #expect(parsed.baseline == "onnxruntime" && parsed.attention == "flash" && (parsed.timeRatio ?? 0) > 1)
    }

    @Test func torchFlagIsAnAliasAndBadNamesAreUsageErrors() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bad = try GenerateCommandTests.run(Self.grid + ["--baseline", "torch,tensorrt"], in: Self.root, command: "bench")
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("unknown --baseline tensorrt; use a comma list of torch, openvino, onnxruntime"), "\(bad.stderr)")
        // --torch runs the PyTorch script (here the fake interpreter, which does not know it: a failure note).
        let python = try Self.fakePython(in: folder)
        let torch = try GenerateCommandTests.run(Self.grid + ["--torch", "--python", python], in: Self.root, command: "bench")
        #expect(torch.status == 0, "\(torch.stderr)")
        #expect(torch.stdout.contains("PyTorch: \(python) Scripts/bench_torch_models.py unet"), "\(torch.stdout)")
        #expect(torch.stdout.contains("PyTorch baseline failed"), "\(torch.stdout)")
    }
}

/// With `DIFFUSE_BENCH_PYTHON` set to an interpreter with torch, diffusers, openvino and onnxruntime
/// (e.g. a venv): the real scripts on the tiny fixture, each cell measured.
@Suite(.enabled(if: DiffuseBinary.path != nil && ProcessInfo.processInfo.environment["DIFFUSE_BENCH_PYTHON"] != nil,
                "set DIFFUSE_BENCH_PYTHON to run the Python baselines"))
struct BenchBaselinePythonTests {
    @Test func openVinoAndOnnxRuntimeMeasureTheTinyUNet() throws {
        let python = ProcessInfo.processInfo.environment["DIFFUSE_BENCH_PYTHON"]!
        let run = try GenerateCommandTests.run(BenchBaselineCommandTests.grid + ["--baseline", "openvino,onnxruntime",
                                                                                 "--python", python, "--json"],
                                               in: BenchBaselineCommandTests.root, command: "bench")
        #expect(run.status == 0, "\(run.stderr)")
        let results = run.stdout.split(separator: "\n").compactMap { try? BenchResult(jsonLine: String($0)) }
        for source in ["openvino", "onnxruntime"] {
            let r = try #require(results.first { $0.source == source }, "\(run.stdout)")
            #expect(r.status == .ok && (r.secondsPerStep ?? 0) > 0 && r.version?.hasPrefix(source) == true, "\(r)")
            #expect((r.compileSeconds ?? 0) > 0)
        }
    }
}
