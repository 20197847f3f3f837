#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A safetensors file, memory-mapped and validated on open. Tensors are read lazily as zero-copy views of
/// the mapping; the mapping stays alive as long as the file value or any tensor read from it.
///
/// The file must not be truncated or rewritten in place while mapped (that is `SIGBUS` territory for any
/// mmap reader); `SafeTensors.write` replaces files by renaming, which is safe.
public struct SafeTensorsFile: Sendable {
    public let path: String
    /// The memory mapping every tensor of this file is a view of (or a copy made from).
    public let mapping: MappedFile
    private let header: SafeTensorsHeader
    private let index: [String: Int]
    private let sortedNames: [String]

    /// Maps the file and validates its header; throws `SafeTensorsError`.
    public init(path: String) throws {
        let mapping: MappedFile
        do {
            mapping = try MappedFile(path: path)
        } catch let e as MappedFile.MapError {
            throw SafeTensorsError(path: path, problem: .cannotOpen(reason: Self.reason(e)))
        }
        let bytes = UnsafeRawBufferPointer(start: mapping.base, count: mapping.byteCount)
        header = try SafeTensorsHeader(file: bytes, path: path)
        self.path = path
        self.mapping = mapping
        var index: [String: Int] = [:]
        for (i, info) in header.tensors.enumerated() { index[info.name] = i }
        self.index = index
        sortedNames = header.tensors.map(\.name).sorted()
    }

    /// Tensor names, sorted.
    public var names: [String] { sortedNames }

    /// The `"__metadata__"` strings (empty when there are none).
    public var metadata: [String: String] { header.metadata }

    /// Every entry, in the order of the data section.
    public var infos: [SafeTensorInfo] { header.tensors }

    /// File offset of the data section.
    public var dataStart: Int { header.dataStart }

    public func info(_ name: String) -> SafeTensorInfo? {
        index[name].map { header.tensors[$0] }
    }

    /// The tensor in its stored dtype, as a read-only view into the mapping (no copy).
    ///
    /// Files written by Python's `safetensors` or by `SafeTensors.write` keep every tensor aligned to its
    /// element size. A foreign file whose tensor is misaligned gets a copy in owned memory instead, so that
    /// kernels may always assume aligned element pointers.
    public func tensor(_ name: String) throws -> Tensor {
        guard let info = info(name) else {
            throw SafeTensorsError(path: path, tensor: name, problem: .tensorNotFound(available: names))
        }
        let start = header.dataStart + info.dataOffsets.lowerBound
        let storage = Storage(mapping: mapping, offset: start, byteCount: info.byteCount)
        let view = Tensor(storage: storage, dtype: info.dtype, shape: info.shape)
        if start % info.dtype.byteSize == 0 { return view }
        let copy = Tensor(zeros: info.shape, dtype: info.dtype)
        copy.rawPointer.copyMemory(from: storage.base, byteCount: info.byteCount)
        return copy
    }

    /// The tensor in `dtype`: the zero-copy view when the stored dtype matches, else a converted copy
    /// (floats → bf16 round to nearest even; floats → integers truncate toward zero).
    public func tensor(_ name: String, as dtype: DType) throws -> Tensor {
        let stored = try tensor(name)
        return stored.dtype == dtype ? stored : stored.hostConverted(to: dtype)
    }

    private static func reason(_ error: MappedFile.MapError) -> String {
        // MapError's description repeats the path; keep only the system's reason.
        switch error {
        case let .cannotOpen(_, code): "open failed: \(String(cString: strerror(code)))"
        case let .cannotMap(_, code): "mmap failed: \(String(cString: strerror(code)))"
        }
    }
}
