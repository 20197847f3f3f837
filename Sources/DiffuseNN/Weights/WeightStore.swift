import DiffuseCore

/// All the tensors of one model component (one or more safetensors files), handed out to modules by
/// checkpoint key while every request is recorded: keys used, keys asked for but absent, shapes that
/// do not match. After building a model, `finish()` throws one `WeightLoadError` that lists every
/// missing, unused and mismatched key, so a wrong checkpoint is explained in one go.
///
/// Tensors are zero-copy views of the memory-mapped files when the stored dtype is the compute dtype;
/// otherwise they are converted once, at load.
///
/// With a `WeightKeyMapping` (single-file checkpoints in the original layout) every requested key is
/// resolved to a stored key and a view transform; `keys` then lists the stored keys of the component,
/// and a missing tensor is reported by its model key and the stored key it maps to.
public final class WeightStore: @unchecked Sendable {
    /// Where the tensors came from (for messages).
    public let source: String
    /// The dtype modules receive (the caller's compute dtype), or nil to keep each stored dtype.
    public let dtype: DType?

    private var entries: [String: Entry] = [:]
    private var used: Set<String> = []
    private var missing: [String] = []
    private var mismatched: [(key: String, expected: [Int], found: [Int])] = []
    private var ignoredPrefixes: [String] = []
    private let mapping: (any WeightKeyMapping)?
    /// Makes every requested tensor (synthetic benchmark models); nil for stores backed by files or memory.
    private var generator: (@Sendable (String, [Int]) -> Tensor)? = nil
    /// Replaces some handed-out tensors (`overlaid(by:)`); nil for a plain store.
    public private(set) var overlay: (any WeightOverlay)? = nil

    /// Advice printed under the key check's error instead of the default (see `WeightLoadError.hint`).
    public var hint: String?

    /// With a nil `dtype`: the dtype a tensor is handed out in, from its model key, shape and stored dtype
    /// (reduced-precision loading, `PrecisionPolicy.storageDType`). Nil keeps the stored dtype.
    public var dtypeRule: (@Sendable (_ key: String, _ shape: [Int], _ stored: DType) -> DType)?

    /// A stored tensor: in a mapped file, or already in memory.
    private struct Entry {
        let file: SafeTensorsFile?
        let memory: Tensor?
        let dtype: DType
        let shape: [Int]
        var origin: String { file?.path ?? "memory" }
    }

    /// The memory-mapped files behind the stored tensors — the files of a file-backed store, and for
    /// in-memory tensors the files they are zero-copy views of — each once.
    public var mappedFiles: [MappedFile] {
        var seen = Set<ObjectIdentifier>()
        return entries.values.compactMap { $0.file?.mapping ?? $0.memory?.storage.mapping }
            .filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// Opens the files (validating their headers) and indexes every tensor. A key present in two files is an error.
    public init(files paths: [String], dtype: DType?, source: String? = nil) throws {
        self.source = source ?? paths.joined(separator: ", ")
        self.dtype = dtype
        self.mapping = nil
        for path in paths {
            let file = try SafeTensorsFile(path: path)
            for info in file.infos {
                if let previous = entries[info.name] {
                    throw WeightLoadError(source: self.source, missing: [], unused: [], mismatched: [],
                                          note: "tensor \(info.name) is in both \(previous.origin) and \(path)")
                }
                entries[info.name] = Entry(file: file, memory: nil, dtype: info.dtype, shape: info.shape)
            }
        }
    }

    /// In-memory tensors (tests, converted checkpoints).
    public init(tensors: [String: Tensor], dtype: DType?, source: String) {
        self.source = source
        self.dtype = dtype
        self.mapping = nil
        for (name, tensor) in tensors {
            entries[name] = Entry(file: nil, memory: tensor, dtype: tensor.dtype, shape: tensor.shape)
        }
    }

    /// The tensors of `file` that `mapping` owns, requested by model key through `mapping`.
    public init(file: SafeTensorsFile, mapping: any WeightKeyMapping, dtype: DType?, source: String) {
        self.source = source
        self.dtype = dtype
        self.mapping = mapping
        for info in file.infos where mapping.owns(storedKey: info.name) {
            entries[info.name] = Entry(file: file, memory: nil, dtype: info.dtype, shape: info.shape)
        }
    }

    /// A store with no stored tensors that answers every request with `make(key, shape)` (e.g. seeded
    /// random weights for benchmarks): nothing is missing or unused. `dtype` as for the other stores.
    public init(generating source: String, dtype: DType?, _ make: @escaping @Sendable (String, [Int]) -> Tensor) {
        self.source = source
        self.dtype = dtype
        self.mapping = nil
        generator = make
    }

    /// A store over the same stored tensors (shared, not copied: memory-mapped files stay mapped once) whose
    /// requests go through `overlay` (nil: none). Its key check starts afresh; `self` is not changed, so a
    /// model can be built again from it with another overlay, or none.
    public func overlaid(by overlay: (any WeightOverlay)?) -> WeightStore {
        let copy = WeightStore(source: source, dtype: dtype, mapping: mapping, entries: entries)
        copy.generator = generator
        copy.ignoredPrefixes = ignoredPrefixes
        copy.hint = hint
        copy.dtypeRule = dtypeRule
        copy.overlay = overlay
        return copy
    }

    private init(source: String, dtype: DType?, mapping: (any WeightKeyMapping)?, entries: [String: Entry]) {
        self.source = source
        self.dtype = dtype
        self.mapping = mapping
        self.entries = entries
    }

    /// Every key in the checkpoint (with a mapping: the stored keys of the component).
    public var keys: [String] { entries.keys.sorted() }

    public func contains(_ key: String) -> Bool { resolve(key).flatMap { entries[$0.key] } != nil }

    /// The stored tensor behind a requested key (itself, without a mapping).
    private func resolve(_ key: String) -> StoredTensorRef? {
        guard let mapping else { return StoredTensorRef(key) }
        return mapping.storedTensor(for: key)
    }

    /// Keys starting with `prefix` are not reported as unused (e.g. buffers a checkpoint carries that
    /// the model recomputes, like CLIP's `position_ids`).
    public func ignoreUnused(prefix: String) { ignoredPrefixes.append(prefix) }

    /// The tensor stored under `key`, which must have `shape` (through the overlay, if any). A missing key or
    /// a wrong shape is recorded (reported by `finish()`) and a zero tensor of the expected shape is returned
    /// so loading can go on.
    public func tensor(_ key: String, shape: [Int]) -> Tensor {
        let stored = storedTensor(key, shape: shape)
        guard let overlay, let stored else { return stored ?? Tensor(zeros: shape, dtype: dtype ?? .f32) }
        return overlay.tensor(for: key, base: stored) ?? stored
    }

    /// `tensor(_:shape:)` without the overlay; nil (recorded) when the key is missing or has another shape.
    private func storedTensor(_ key: String, shape: [Int]) -> Tensor? {
        if let generator { return generator(key, shape) }
        guard let ref = resolve(key) else {
            missing.append(key + " (no counterpart in this checkpoint's layout)")
            return nil
        }
        let name = mapping == nil ? key : "\(key) ← \(ref)"
        guard let entry = entries[ref.key] else {
            missing.append(mapping == nil ? key : "\(ref.key) (→ \(key))")
            return nil
        }
        used.insert(ref.key)
        guard ref.transform.shape(from: entry.shape) == shape else {
            mismatched.append((name, shape, entry.shape))
            return nil
        }
        guard entry.dtype.isFloatingPoint else {
            // Integer weights (a damaged or non-model file) would be converted into meaningless floats.
            mismatched.append((name + " (stored as \(entry.dtype.safetensorsName): weights must be F32, F16 or BF16)", shape, entry.shape))
            return nil
        }
        let target = dtype ?? dtypeRule?(key, shape, entry.dtype) ?? entry.dtype
        if let memory = entry.memory { return ref.transform.apply(memory).hostConverted(to: target) }
        do {
            guard ref.transform != .identity else { return try entry.file!.tensor(ref.key, as: target) }
            // Cut the view first, then convert only that part (a strided view — a transpose — is copied
            // row-major: modules expect contiguous weights).
            let view = ref.transform.apply(try entry.file!.tensor(ref.key))
            return target == entry.dtype ? view.hostContiguous() : view.hostConverted(to: target)
        } catch {
            // Headers were validated when the file was opened; a read can fail only on an unsupported
            // conversion, which is reported with the key.
            mismatched.append((name + " (\(error))", shape, entry.shape))
            return nil
        }
    }

    /// The first of `keys` that exists (for legacy key names, e.g. the VAE's `query` vs `to_q`).
    public func tensor(anyOf keys: [String], shape: [Int]) -> Tensor {
        if let present = keys.first(where: contains) { return tensor(present, shape: shape) }
        return tensor(keys[0], shape: shape)
    }

    /// Dtypes stored in the files, with counts of parameters (for `diffuse inspect`).
    public var storedDTypes: [DType: Int] {
        var counts: [DType: Int] = [:]
        for entry in entries.values { counts[entry.dtype, default: 0] += entry.shape.reduce(1, *) }
        return counts
    }

    /// Checks that every requested key existed with the right shape and every stored key was used.
    public func finish() throws {
        let unused = entries.keys.filter { key in
            !used.contains(key) && !ignoredPrefixes.contains(where: { key.hasPrefix($0) })
        }.sorted()
        guard missing.isEmpty && unused.isEmpty && mismatched.isEmpty else {
            throw WeightLoadError(source: source, missing: missing.sorted(), unused: unused,
                                  mismatched: mismatched.map { "\($0.key): expected \($0.expected), found \($0.found)" },
                                  note: nil, hint: hint)
        }
    }
}
