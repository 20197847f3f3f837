/// Everything that can go wrong reading or writing a safetensors file. The description names the file,
/// the tensor when one is concerned, what is wrong and what to do about it.
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    /// The tensor concerned, when the problem is about one tensor.
    public let tensor: String?
    public let problem: Problem

    public enum Problem: Sendable, Equatable {
        // The file as a whole.
        case cannotOpen(reason: String)
        case fileTooShort(byteCount: Int)
        case headerTooLarge(headerLength: UInt64, limit: Int)
        case headerBeyondFile(headerLength: UInt64, fileSize: Int)
        /// `byteOffset` counts from the start of the file.
        case invalidUTF8(byteOffset: Int)
        /// `byteOffset` counts from the start of the file.
        case invalidJSON(reason: String, byteOffset: Int)
        case headerNotObject(found: String)
        // One tensor entry.
        case duplicateTensor
        case entryNotObject(found: String)
        case missingField(String)
        case wrongFieldType(field: String, expected: String, found: String)
        case duplicateField(String)
        case unsupportedDType(String)
        case invalidDimension(index: Int, value: String)
        case tooManyDimensions(Int)
        case shapeOverflow(shape: [Int], dtype: DType)
        case invalidDataOffsets(found: String)
        case dataOffsetsReversed(begin: Int, end: Int)
        case dataOffsetsBeyondData(begin: Int, end: Int, dataSize: Int)
        case byteLengthMismatch(shape: [Int], dtype: DType, expected: Int, actual: Int)
        case overlap(other: String, range: Range<Int>, otherRange: Range<Int>)
        // "__metadata__".
        case metadataNotObject(found: String)
        case metadataValueNotString(key: String, found: String)
        case duplicateMetadataKey(String)
        // Lookup and writing.
        case tensorNotFound(available: [String])
        case reservedName
        case cannotWrite(reason: String)
    }

    public init(path: String, tensor: String? = nil, problem: Problem) {
        self.path = path
        self.tensor = tensor
        self.problem = problem
    }

    public var description: String {
        var where_ = "safetensors file '\(path)'"
        if let tensor { where_ += ", tensor '\(tensor)'" }
        return "\(where_): \(explanation)"
    }

    private static let corrupt = "The file is damaged or was not written as safetensors; download or export it again."
    private static let hostile = "The header is inconsistent; the file is damaged or was not written by a safetensors writer — download or export it again."

    private var explanation: String {
        switch problem {
        case let .cannotOpen(reason):
            return "cannot open it (\(reason)). Check that the path exists and is readable."
        case let .fileTooShort(byteCount):
            let what = byteCount == 0 ? "the file is empty" : "the file has only \(byteCount) byte\(byteCount == 1 ? "" : "s")"
            return "\(what), but a safetensors file starts with an 8-byte header length. "
                + "The download or copy was probably cut short; fetch the file again."
        case let .headerTooLarge(length, limit):
            return "the header claims to be \(length) bytes, more than the \(limit)-byte limit "
                + "(real headers are well under 1 MB). " + Self.corrupt
        case let .headerBeyondFile(length, fileSize):
            return "the header claims to be \(length) bytes but the whole file is only \(fileSize) bytes. "
                + "The file is truncated or not a safetensors file; fetch it again."
        case let .invalidUTF8(offset):
            return "the JSON header is not valid UTF-8 (bad byte at file offset \(offset)). " + Self.corrupt
        case let .invalidJSON(reason, offset):
            return "the header is not valid JSON: \(reason) (at file offset \(offset)). " + Self.corrupt
        case let .headerNotObject(found):
            return "the JSON header must be an object mapping tensor names to entries, but it is \(found). " + Self.corrupt
        case .duplicateTensor:
            return "the name appears more than once in the header; which entry is meant is ambiguous. " + Self.hostile
        case let .entryNotObject(found):
            return "the entry must be an object with \"dtype\", \"shape\" and \"data_offsets\", but it is \(found). " + Self.hostile
        case let .missingField(field):
            return "the entry has no \"\(field)\" field (each entry needs \"dtype\", \"shape\" and \"data_offsets\"). " + Self.hostile
        case let .wrongFieldType(field, expected, found):
            return "the \"\(field)\" field must be \(expected), but it is \(found). " + Self.hostile
        case let .duplicateField(field):
            return "the entry has the field \"\(field)\" more than once. " + Self.hostile
        case let .unsupportedDType(name):
            return "dtype \"\(name)\" is not supported; Diffuse reads F32, F16, BF16, I32 and I64 "
                + "(F64, F8_E4M3/F8_E5M2, BOOL, U8, I8 and other types are not). "
                + "Convert the checkpoint to F32, F16 or BF16 (e.g. with PyTorch: load it, call .to(torch.float16), save_file)."
        case let .invalidDimension(index, value):
            return "shape dimension \(index) is \(value), but dimensions must be non-negative integers. " + Self.hostile
        case let .tooManyDimensions(rank):
            return "the shape has \(rank) dimensions; at most \(SafeTensorsHeader.maxRank) are accepted. " + Self.hostile
        case let .shapeOverflow(shape, dtype):
            return "shape \(shape) of \(dtype.safetensorsName) has more bytes than fit in a 64-bit integer. " + Self.hostile
        case let .invalidDataOffsets(found):
            return "\"data_offsets\" must be two non-negative integers [begin, end], but it is \(found). " + Self.hostile
        case let .dataOffsetsReversed(begin, end):
            return "data_offsets [\(begin), \(end)] end before they begin. " + Self.hostile
        case let .dataOffsetsBeyondData(begin, end, dataSize):
            return "data_offsets [\(begin), \(end)] reach past the end of the data section (\(dataSize) bytes). "
                + "The file is truncated; fetch it again."
        case let .byteLengthMismatch(shape, dtype, expected, actual):
            return "shape \(shape) of \(dtype.safetensorsName) needs \(expected) bytes, but data_offsets span \(actual) bytes. " + Self.hostile
        case let .overlap(other, range, otherRange):
            return "its data_offsets [\(range.lowerBound), \(range.upperBound)] overlap those of tensor '\(other)' "
                + "[\(otherRange.lowerBound), \(otherRange.upperBound)]. " + Self.hostile
        case let .metadataNotObject(found):
            return "\"__metadata__\" must be an object of string values, but it is \(found). " + Self.hostile
        case let .metadataValueNotString(key, found):
            return "\"__metadata__\" value for key \"\(key)\" must be a string, but it is \(found). " + Self.hostile
        case let .duplicateMetadataKey(key):
            return "\"__metadata__\" has the key \"\(key)\" more than once. " + Self.hostile
        case let .tensorNotFound(available):
            if available.isEmpty { return "no such tensor: the file holds no tensors at all." }
            let shown = available.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            let more = available.count > 5 ? ", … (\(available.count) in all)" : ""
            return "no such tensor in the file (it holds \(shown)\(more)). Check the name against `names`; "
                + "checkpoints from other tools often use a different key prefix."
        case .reservedName:
            return "the name \"__metadata__\" is reserved by the safetensors format; pass metadata through the `metadata` argument instead."
        case let .cannotWrite(reason):
            return "cannot write it (\(reason)). Check that the folder exists, is writable and has free space."
        }
    }
}
