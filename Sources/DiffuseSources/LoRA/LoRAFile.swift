import DiffuseCore

/// A LoRA `.safetensors` file in one of the layouts of `LoRAFormat`, read into down / up pairs with
/// their alphas. Which weights the pairs update is `layers(unetLayersPerBlock:)`; the file is read once,
/// and a pipeline keeps it to apply again (`StableDiffusionPipeline.setLoRAs`).
///
/// Errors (`LoRAError`, one line naming the file): no such file, a pickle file (`.ckpt`, `.pt`, `.bin`), a
/// damaged header, no LoRA key at all (the message lists a few of the keys), a variant Diffuse does not
/// merge (DoRA, LoHa / LoKr, Tucker `lora_mid`), an up / down pair whose shapes do not fit.
public struct LoRAFile: @unchecked Sendable {
    /// One low-rank pair as stored: `stem` is the file's name for the layer (the key without
    /// `.lora_down.weight` / `.lora_A.weight` / `.down.weight`).
    public struct Pair: @unchecked Sendable {
        public let stem: String
        public let downKey: String
        /// [r, in] or [r, in, kh, kw]; up [out, r] or [out, r, 1, 1]; as stored (f32, f16 or bf16).
        public let down: Tensor
        public let up: Tensor
        /// kohya's `<stem>.alpha`, nil when absent (and in the other formats).
        public let alpha: Float?
    }

    public let path: String
    public let format: LoRAFormat
    public let pairs: [Pair]
    /// Keys that belong to no pair (an up without its down, DoRA's `dora_scale`, biases, …); reported as
    /// unmatched when the file is applied.
    public let strayKeys: [String]
    /// The number of tensors in the file.
    public let keyCount: Int
    /// diffusers' `lora_adapter_metadata` header (PEFT format), nil when absent.
    public let adapterConfig: PEFTAdapterConfig?

    /// The file's name without folder and `.safetensors` (A1111's `<lora:name:scale>`).
    public var name: String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return file.hasSuffix(".safetensors") ? String(file.dropLast(".safetensors".count)) : file
    }

    public init(path: String) throws {
        let lower = path.lowercased()
        if SingleFileCheckpoint.pickleExtensions.contains(where: { lower.hasSuffix($0) }) {
            throw LoRAError(.unreadable, path: path, message: "pickle files are not read (they can run code); use the .safetensors version of this LoRA")
        }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(path: path) } catch {
            throw LoRAError(.unreadable, path: path, message: "cannot read this LoRA file: \(error)")
        }
        let keys = file.names
        guard let format = LoRAFormat.detect(keys) else {
            throw LoRAError(.notLoRA, path: path, message: "not a LoRA file: none of its \(keys.count) keys is a kohya (lora_unet_…, lora_te_…), diffusers / PEFT (….lora_A.weight) or attention-processor (…to_q_lora.down.weight) key (\(LoRAError.sample(keys)))")
        }
        try Self.refuseUnsupported(keys, path: path)
        self.path = path
        self.format = format
        keyCount = keys.count
        adapterConfig = try file.metadata["lora_adapter_metadata"].map { try PEFTAdapterConfig(json: $0, path: path) }
        let suffixes = Self.suffixes(format)
        var pairs: [Pair] = [], used = Set<String>()
        for downKey in keys {
            guard let stem = Self.stem(of: downKey, format: format, downSuffix: suffixes.down) else { continue }
            let upKey = stem + suffixes.up
            guard file.info(upKey) != nil else { continue }   // a down without its up stays a stray key
            let alphaKey = stem + ".alpha"
            let alpha = format == .kohya && file.info(alphaKey) != nil ? try Self.scalar(file, alphaKey, path: path) : nil
            let pair = Pair(stem: stem, downKey: downKey, down: try Self.tensor(file, downKey, path: path),
                            up: try Self.tensor(file, upKey, path: path), alpha: alpha)
            try Self.check(pair, upKey: upKey, path: path)
            pairs.append(pair)
            used.formUnion([downKey, upKey] + (alpha != nil ? [alphaKey] : []))
        }
        self.pairs = pairs
        strayKeys = keys.filter { !used.contains($0) }
    }

    static func suffixes(_ format: LoRAFormat) -> (down: String, up: String) {
        switch format {
        case .kohya: return (".lora_down.weight", ".lora_up.weight")
        case .peft: return (".lora_A.weight", ".lora_B.weight")
        case .diffusersLegacy: return (".down.weight", ".up.weight")
        }
    }

    /// The layer name of a down key, nil for any other key.
    static func stem(of key: String, format: LoRAFormat, downSuffix: String) -> String? {
        guard key.hasSuffix(downSuffix) else { return nil }
        let stem = String(key.dropLast(downSuffix.count))
        switch format {
        case .kohya: return LoRAFormat.kohyaPrefixes.contains { stem.hasPrefix($0) } ? stem : nil
        case .peft: return stem
        case .diffusersLegacy:
            return stem.hasSuffix("_lora") || stem.hasSuffix(".lora") || stem.hasSuffix(".lora_linear_layer") ? stem : nil
        }
    }

    /// LoRA variants whose update is not up · down: refused rather than merged wrongly.
    static func refuseUnsupported(_ keys: [String], path: String) throws {
        let variants: [(marker: String, name: String)] = [
            ("lora_magnitude_vector", "DoRA (lora_magnitude_vector)"), (".lora_mid.", "LoCon with a Tucker core (lora_mid)"),
            ("hada_w1", "LoHa (hada_…)"), ("lokr_w1", "LoKr (lokr_…)"), (".lokr_", "LoKr (lokr_…)"),
        ]
        for variant in variants {
            if let key = keys.first(where: { $0.contains(variant.marker) }) {
                throw LoRAError(.unsupported, path: path, message: "\(variant.name) is not supported, only plain LoRA / LoCon (\(key))")
            }
        }
    }

    /// The stored tensor (a view of the mapped file: f16 / bf16 files stay half-size until merged).
    static func tensor(_ file: SafeTensorsFile, _ key: String, path: String) throws -> Tensor {
        guard let info = file.info(key), info.dtype.isFloatingPoint else {
            throw LoRAError(.unsupported, path: path, message: "\(key) is not a floating-point tensor")
        }
        do { return try file.tensor(key) } catch {
            throw LoRAError(.unreadable, path: path, message: "cannot read \(key): \(error)")
        }
    }

    static func scalar(_ file: SafeTensorsFile, _ key: String, path: String) throws -> Float {
        let t = try tensor(file, key, path: path).hostConverted(to: .f32)
        guard t.count == 1, let value = t.floats().first, value.isFinite else {
            throw LoRAError(.unsupported, path: path, message: "\(key) must be one finite number, found \(t.shape)")
        }
        return value
    }

    /// down [r, in, (kh, kw)], up [out, r, (1, 1)].
    static func check(_ pair: Pair, upKey: String, path: String) throws {
        let (down, up) = (pair.down.shape, pair.up.shape)
        let fits = (down.count == 2 || down.count == 4) && (up.count == 2 || up.count == 4) && down[0] > 0
            && up[1] == down[0] && up.dropFirst(2).allSatisfy { $0 == 1 }
        guard fits else {
            throw LoRAError(.unsupported, path: path, message: "\(pair.downKey) \(down) and \(upKey) \(up) are not a low-rank pair (down [r, in(, kh, kw)], up [out, r(, 1, 1)])")
        }
    }
}
