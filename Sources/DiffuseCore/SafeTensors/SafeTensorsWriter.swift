#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing safetensors files.
public enum SafeTensors {
    /// Writes `tensors` (any layout; non-contiguous ones are copied row-major) and `metadata` to `path`.
    ///
    /// Layout, as Python's `safetensors.save_file`: the JSON header lists `"__metadata__"` (when not empty)
    /// then the tensors in data order, padded with spaces to a multiple of 8 bytes; the data are packed with
    /// no gaps. The data order is the given order, stably grouped by dtype (I64, F32, I32, BF16, F16 —
    /// Python's order) so that every tensor starts at a multiple of its element size and readers get
    /// aligned zero-copy views. Called with tensors sorted by name (as the dictionary overload does), the
    /// bytes equal what Python writes.
    ///
    /// The file is written next to `path` under a temporary name and renamed into place, so a reader that
    /// has the old file mapped never sees it change.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             to path: String) throws {
        var seen = Set<String>()
        for (name, _) in tensors {
            guard name != "__metadata__" else {
                throw SafeTensorsError(path: path, tensor: name, problem: .reservedName)
            }
            guard seen.insert(name).inserted else {
                throw SafeTensorsError(path: path, tensor: name, problem: .duplicateTensor)
            }
        }
        let ordered = tensors.enumerated().sorted {
            (layoutRank($0.element.tensor.dtype), $0.offset) < (layoutRank($1.element.tensor.dtype), $1.offset)
        }.map(\.element)
        let header = headerBytes(ordered.map { ($0.name, $0.tensor.dtype, $0.tensor.shape) }, metadata: metadata)

        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, 0o644)
        guard fd >= 0 else { throw writeError(path, "cannot create \(temporary)", errno) }
        var closed = false
        defer {
            if !closed { close(fd); unlink(temporary) }
        }
        try withUnsafeBytes(of: UInt64(header.count).littleEndian) { try writeAll(fd, $0, path) }
        try header.withUnsafeBytes { try writeAll(fd, $0, path) }
        for (_, tensor) in ordered {
            let data = tensor.hostContiguous()
            try writeAll(fd, UnsafeRawBufferPointer(start: data.rawPointer, count: data.byteCount), path)
        }
        closed = true
        guard close(fd) == 0 else {
            let code = errno
            unlink(temporary)
            throw writeError(path, "close failed", code)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw writeError(path, "cannot rename \(temporary) into place", code)
        }
    }

    /// Writes a dictionary of tensors, sorted by name (then grouped by dtype, as Python does).
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
        let sorted = tensors.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) }
        try write(sorted, metadata: metadata, to: path)
    }

    /// The JSON header (padded with spaces to a multiple of 8 bytes) for tensors laid out packed, in order.
    static func headerBytes(_ entries: [(name: String, dtype: DType, shape: [Int])],
                            metadata: [String: String]) -> [UInt8] {
        var json = "{"
        var first = true
        func separator() { if !first { json += "," }; first = false }
        if !metadata.isEmpty {
            separator()
            json += "\"__metadata__\":{"
            json += metadata.sorted { $0.key < $1.key }
                .map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(separator: ",")
            json += "}"
        }
        var offset = 0
        for (name, dtype, shape) in entries {
            let end = offset + shape.reduce(1, *) * dtype.byteSize
            separator()
            json += "\(jsonString(name)):{\"dtype\":\"\(dtype.safetensorsName)\",\"shape\":["
            json += shape.map(String.init).joined(separator: ",")
            json += "],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        json += "}"
        var bytes = Array(json.utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
        return bytes
    }

    /// A JSON string literal escaped as serde_json (Python's safetensors) does.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Python's data order: descending dtype in the Rust `Dtype` enum (I64, F32, I32, BF16, F16).
    private static func layoutRank(_ dtype: DType) -> Int {
        switch dtype {
        case .i64: 0
        case .f32: 1
        case .i32: 2
        case .bf16: 3
        case .f16: 4
        }
    }

    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, _ path: String) throws {
        var done = 0
        while done < buffer.count {
            let chunk = min(buffer.count - done, 1 << 30)
            let n = posixWrite(fd, buffer.baseAddress! + done, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw writeError(path, "write failed", errno)
            }
            done += n
        }
    }

    private static func writeError(_ path: String, _ what: String, _ code: Int32) -> SafeTensorsError {
        SafeTensorsError(path: path, problem: .cannotWrite(reason: "\(what): \(String(cString: strerror(code)))"))
    }
}

/// `write(2)`; a free function because inside `SafeTensors` the name `write` means the static method.
private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
