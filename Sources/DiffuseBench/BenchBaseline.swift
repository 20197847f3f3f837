/// An engine `diffuse bench unet|vae|text-encoder|pipeline --baseline` runs in the same invocation, through
/// its script in Scripts/ (the same command line and JSON lines as `Scripts/bench_torch_models.py`; the
/// same models, seeded weights and inputs).
public enum BenchBaseline: String, CaseIterable, Sendable {
    /// PyTorch + diffusers, eager (and `torch.compile` with `--compile`).
    case torch
    /// OpenVINO's CPU plugin on the diffusers module converted to an f32 IR at static shapes.
    case openvino
    /// ONNX Runtime's CPU provider on the module exported with `torch.onnx.export` at static shapes.
    case onnxruntime

    /// "torch, openvino, onnxruntime": the names `--baseline` takes.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The script that measures it, relative to the repository root.
    public var script: String {
        switch self {
        case .torch: "Scripts/bench_torch_models.py"
        case .openvino: "Scripts/bench_openvino.py"
        case .onnxruntime: "Scripts/bench_onnxruntime.py"
        }
    }

    /// The name people know it by, for messages.
    public var title: String {
        switch self {
        case .torch: "PyTorch"
        case .openvino: "OpenVINO"
        case .onnxruntime: "ONNX Runtime"
        }
    }

    /// The Python modules its script imports beyond PyTorch's (`torchModules`), and what to pip install for them.
    public var modules: [String] {
        switch self {
        case .torch: []
        case .openvino: ["openvino"]
        case .onnxruntime: ["onnxruntime", "onnx", "onnxscript"]
        }
    }

    /// What every baseline script needs: the models are built by diffusers and transformers on PyTorch.
    public static let torchModules = ["torch", "diffusers", "transformers"]

    /// `--baseline` values (each a comma list; the option may repeat), with `--torch` as an alias of
    /// `--baseline torch`: the baselines in the order first named, each once. Throws a one-line error
    /// naming the valid baselines for an unknown or empty name.
    public static func parse(_ values: [String], torch: Bool = false) throws -> [BenchBaseline] {
        var chosen: [BenchBaseline] = torch ? [.torch] : []
        for value in values {
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                let name = part.trimmed.lowercased()
                guard let baseline = BenchBaseline(rawValue: name) ?? aliases[name] else {
                    throw BenchError(name.isEmpty
                        ? "--baseline \(value): an empty name; give a comma list of \(names)"
                        : "unknown --baseline \(name); use a comma list of \(names)")
                }
                if !chosen.contains(baseline) { chosen.append(baseline) }
            }
        }
        return chosen
    }

    /// Other spellings people use.
    static let aliases: [String: BenchBaseline] = ["pytorch": .torch, "ov": .openvino, "ort": .onnxruntime,
                                                   "onnx": .onnxruntime]

    /// The line to print when its script ran but gave no results: which Python modules are missing and
    /// the pip command that installs them, or else the script's last lines.
    public func failureMessage(output lines: [String], python: String) -> String {
        let missing = Self.missingModules(in: lines)
        if !missing.isEmpty {
            var packages: [String] = []
            for module in missing {
                let wanted = modules.contains(module) ? modules : Self.torchModules.contains(module) ? Self.torchModules : [module]
                packages += wanted.filter { !packages.contains($0) }
            }
            let names = missing.map { "'\($0)'" }.joined(separator: ", ")
            return "\(title) baseline skipped: \(python) has no Python module\(missing.count == 1 ? "" : "s") \(names); install "
                + "\(missing.count == 1 ? "it" : "them") with `\(python) -m pip install \(packages.joined(separator: " "))`, "
                + "or pass --python with an environment that has \(missing.count == 1 ? "it" : "them")"
        }
        let needs = (Self.torchModules + modules).joined(separator: ", ")
        let tail = lines.filter { !$0.trimmed.isEmpty }.suffix(2).joined(separator: " | ")
        return "\(title) baseline failed (\(python) needs \(needs); pass --python <venv>/bin/python): "
            + (tail.isEmpty ? "it printed nothing" : tail)
    }

    /// The modules of every `No module named 'X'` in a script's output, each once (`X` up to its first
    /// dot: the package to install).
    public static func missingModules(in lines: [String]) -> [String] {
        let marker = "No module named '"
        var found: [String] = []
        for line in lines {
            guard let start = line.firstRange(of: marker)?.upperBound,
                  let end = line[start...].firstIndex(of: "'") else { continue }
            let name = line[start..<end].split(separator: ".").first.map(String.init) ?? ""
            if !name.isEmpty && !found.contains(name) { found.append(name) }
        }
        return found
    }
}

extension StringProtocol {
    /// Without spaces at either end.
    fileprivate var trimmed: Substring {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
