/// Parses and validates the header of a safetensors file:
///
///     [8 bytes: N, little-endian UInt64][N bytes: UTF-8 JSON, maybe padded with spaces][data section]
///
/// The JSON is an object: `"__metadata__"` (optional) maps to an object of strings; every other key is a
/// tensor name mapping to `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}` with offsets
/// relative to the data section. Every violation is a `SafeTensorsError`; nothing is allocated from a
/// number in the header before it is checked against the real file size.
///
/// Stricter than the format's reference reader: duplicate names/fields/metadata keys are refused and the
/// nesting depth is bounded. More lenient: unknown fields in an entry are ignored, and gaps between tensors
/// or bytes after the last one are accepted (Python's reader refuses both; no tensor reads them).
struct SafeTensorsHeader {
    /// Largest header accepted (the reference implementation's limit).
    static let maxHeaderLength = 100_000_000
    /// Most dimensions accepted in a shape (NumPy's limit); keeps a hostile shape list small.
    static let maxRank = 64

    /// Entries in data order (by `dataOffsets.lowerBound`, then name).
    var tensors: [SafeTensorInfo]
    var metadata: [String: String]
    /// File offset of the data section (8 + N).
    var dataStart: Int

    /// Validates the header of `file` (the whole file's bytes).
    init(file: UnsafeRawBufferPointer, path: String) throws(SafeTensorsError) {
        func error(_ problem: SafeTensorsError.Problem, _ tensor: String? = nil) -> SafeTensorsError {
            SafeTensorsError(path: path, tensor: tensor, problem: problem)
        }
        let fileSize = file.count
        guard fileSize >= 8 else { throw error(.fileTooShort(byteCount: fileSize)) }
        var length: UInt64 = 0
        for i in (0..<8).reversed() { length = length << 8 | UInt64(file[i]) }
        guard length <= UInt64(Self.maxHeaderLength) else {
            throw error(.headerTooLarge(headerLength: length, limit: Self.maxHeaderLength))
        }
        guard length <= UInt64(fileSize - 8) else {
            throw error(.headerBeyondFile(headerLength: length, fileSize: fileSize))
        }
        let headerLength = Int(length)
        let json = UnsafeRawBufferPointer(rebasing: file[8..<(8 + headerLength)])
        if let bad = firstInvalidUTF8Offset(json) { throw error(.invalidUTF8(byteOffset: 8 + bad)) }

        dataStart = 8 + headerLength
        let dataSize = fileSize - dataStart
        var parsed: [SafeTensorInfo] = []
        var names = Set<String>()
        var metadata: [String: String]? = nil
        var reader = HeaderJSONReader(json)
        var current: String? = nil // the tensor being parsed, for syntax errors
        do {
            let kind = try reader.peekKind()
            guard kind == .object else { throw error(.headerNotObject(found: kind.phrase)) }
            try reader.readObject(depth: 0) { reader, key in
                if key == "__metadata__" {
                    guard metadata == nil else { throw error(.duplicateMetadataKey("__metadata__")) }
                    metadata = try Self.parseMetadata(&reader, error: error)
                    return
                }
                current = key
                guard names.insert(key).inserted else { throw error(.duplicateTensor, key) }
                parsed.append(try Self.parseEntry(&reader, name: key, dataSize: dataSize, error: error))
                current = nil
            }
            reader.skipWhitespace()
            if !reader.isAtEnd {
                throw reader.fail("unexpected bytes after the closing '}' (only space padding may follow)")
            }
        } catch let syntax as HeaderJSONReader.SyntaxError {
            throw error(.invalidJSON(reason: syntax.reason, byteOffset: 8 + syntax.offset), current)
        } catch let e as SafeTensorsError {
            throw e
        } catch {
            preconditionFailure("SafeTensorsHeader: unexpected error \(error)")
        }

        // Overlaps: sort the non-empty ranges; each must begin at or after the previous one's end.
        parsed.sort { ($0.dataOffsets.lowerBound, $0.name) < ($1.dataOffsets.lowerBound, $1.name) }
        var previous: SafeTensorInfo? = nil
        for info in parsed where !info.dataOffsets.isEmpty {
            if let p = previous, info.dataOffsets.lowerBound < p.dataOffsets.upperBound {
                throw error(.overlap(other: p.name, range: info.dataOffsets, otherRange: p.dataOffsets), info.name)
            }
            if previous == nil || info.dataOffsets.upperBound > previous!.dataOffsets.upperBound { previous = info }
        }
        tensors = parsed
        self.metadata = metadata ?? [:]
    }

    private static func parseMetadata(
        _ reader: inout HeaderJSONReader, error: (SafeTensorsError.Problem, String?) -> SafeTensorsError
    ) throws -> [String: String] {
        let kind = try reader.peekKind()
        if kind == .null { try reader.readNull(); return [:] } // `Option` in the reference implementation
        guard kind == .object else { throw error(.metadataNotObject(found: kind.phrase), nil) }
        var result: [String: String] = [:]
        try reader.readObject(depth: 1) { reader, key in
            let kind = try reader.peekKind()
            guard kind == .string else { throw error(.metadataValueNotString(key: key, found: kind.phrase), nil) }
            let value = try reader.readString()
            guard result.updateValue(value, forKey: key) == nil else { throw error(.duplicateMetadataKey(key), nil) }
        }
        return result
    }

    private static func parseEntry(
        _ reader: inout HeaderJSONReader, name: String, dataSize: Int,
        error: (SafeTensorsError.Problem, String?) -> SafeTensorsError
    ) throws -> SafeTensorInfo {
        let kind = try reader.peekKind()
        guard kind == .object else { throw error(.entryNotObject(found: kind.phrase), name) }
        var dtypeName: String? = nil
        var shape: [Int]? = nil
        var offsets: (Int, Int)? = nil
        try reader.readObject(depth: 1) { reader, field in
            switch field {
            case "dtype":
                guard dtypeName == nil else { throw error(.duplicateField(field), name) }
                let kind = try reader.peekKind()
                guard kind == .string else {
                    throw error(.wrongFieldType(field: field, expected: "a string such as \"F32\"", found: kind.phrase), name)
                }
                dtypeName = try reader.readString()
            case "shape":
                guard shape == nil else { throw error(.duplicateField(field), name) }
                shape = try parseShape(&reader, name: name, error: error)
            case "data_offsets":
                guard offsets == nil else { throw error(.duplicateField(field), name) }
                offsets = try parseOffsets(&reader, name: name, error: error)
            default:
                try reader.skipValue(depth: 2)
            }
        }
        guard let dtypeName else { throw error(.missingField("dtype"), name) }
        guard let shape else { throw error(.missingField("shape"), name) }
        guard let offsets else { throw error(.missingField("data_offsets"), name) }
        let (begin, end) = offsets
        guard let dtype = DType(safetensorsName: dtypeName) else { throw error(.unsupportedDType(dtypeName), name) }

        var bytes = dtype.byteSize
        for dim in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw error(.shapeOverflow(shape: shape, dtype: dtype), name) }
            bytes = product
        }
        guard begin <= end else { throw error(.dataOffsetsReversed(begin: begin, end: end), name) }
        guard end <= dataSize else { throw error(.dataOffsetsBeyondData(begin: begin, end: end, dataSize: dataSize), name) }
        guard end - begin == bytes else {
            throw error(.byteLengthMismatch(shape: shape, dtype: dtype, expected: bytes, actual: end - begin), name)
        }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    private static func parseShape(
        _ reader: inout HeaderJSONReader, name: String,
        error: (SafeTensorsError.Problem, String?) -> SafeTensorsError
    ) throws -> [Int] {
        let kind = try reader.peekKind()
        guard kind == .array else {
            throw error(.wrongFieldType(field: "shape", expected: "an array of integers", found: kind.phrase), name)
        }
        var dims: [Int] = []
        try reader.readArray(depth: 2) { reader, index in
            guard index < maxRank else { throw error(.tooManyDimensions(index + 1), name) }
            let kind = try reader.peekKind()
            guard kind == .number else { throw error(.invalidDimension(index: index, value: kind.phrase), name) }
            switch try reader.readNumber() {
            case let .integer(value) where value >= 0: dims.append(Int(value))
            case let .integer(value): throw error(.invalidDimension(index: index, value: String(value)), name)
            case let .other(text): throw error(.invalidDimension(index: index, value: text), name)
            }
        }
        return dims
    }

    private static func parseOffsets(
        _ reader: inout HeaderJSONReader, name: String,
        error: (SafeTensorsError.Problem, String?) -> SafeTensorsError
    ) throws -> (Int, Int) {
        let kind = try reader.peekKind()
        guard kind == .array else { throw error(.invalidDataOffsets(found: kind.phrase), name) }
        var values: [Int] = []
        try reader.readArray(depth: 2) { reader, index in
            guard index < 2 else { throw error(.invalidDataOffsets(found: "an array of more than two elements"), name) }
            let kind = try reader.peekKind()
            guard kind == .number else { throw error(.invalidDataOffsets(found: "an array holding \(kind.phrase)"), name) }
            switch try reader.readNumber() {
            case let .integer(value) where value >= 0: values.append(Int(value))
            case let .integer(value): throw error(.invalidDataOffsets(found: "an array holding \(value)"), name)
            case let .other(text): throw error(.invalidDataOffsets(found: "an array holding \(text)"), name)
            }
        }
        guard values.count == 2 else {
            throw error(.invalidDataOffsets(found: "an array of \(values.count) element\(values.count == 1 ? "" : "s")"), name)
        }
        return (values[0], values[1])
    }
}
