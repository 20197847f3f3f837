import Foundation
import Testing
import DiffuseCore
import DiffuseTestSupport

/// A file: 8-byte little-endian length of `json` (or `claimedLength`), `json`, then `data`.
private func file(_ json: String, data: [UInt8] = [], claimedLength: UInt64? = nil) -> [UInt8] {
    let header = Array(json.utf8)
    return withUnsafeBytes(of: (claimedLength ?? UInt64(header.count)).littleEndian, Array.init) + header + data
}

private func file(rawHeader: [UInt8], data: [UInt8] = []) -> [UInt8] {
    withUnsafeBytes(of: UInt64(rawHeader.count).littleEndian, Array.init) + rawHeader + data
}

/// One valid entry's JSON.
private func entry(_ dtype: String = "F32", _ shape: String = "[2]", _ offsets: String = "[0,8]") -> String {
    #"{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":\#(offsets)}"#
}

/// Opens `bytes` as a file and returns the error it must raise; checks that the error names the file and,
/// when `tensor` is given, the tensor.
private func refusal(_ bytes: [UInt8], tensor: String?,
                     sourceLocation: SourceLocation = #_sourceLocation) -> SafeTensorsError? {
    SafeTensorsTesting.withTemporaryFile(bytes) { path in
        do {
            let opened = try SafeTensorsFile(path: path)
            Issue.record("expected an error, but the file opened with tensors \(opened.names)", sourceLocation: sourceLocation)
            return nil
        } catch let error as SafeTensorsError {
            #expect(error.path == path, sourceLocation: sourceLocation)
            #expect(error.tensor == tensor, sourceLocation: sourceLocation)
            #expect(error.description.contains(path), sourceLocation: sourceLocation)
            if let tensor {
                #expect(error.description.contains("tensor '\(tensor)'"), "\(error)", sourceLocation: sourceLocation)
            }
            return error
        } catch {
            Issue.record("expected a SafeTensorsError, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }
}

private func expectRefusal(_ bytes: [UInt8], tensor: String?, _ problem: SafeTensorsError.Problem,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error = refusal(bytes, tensor: tensor, sourceLocation: sourceLocation) else { return }
    #expect(error.problem == problem, "\(error)", sourceLocation: sourceLocation)
}

/// For syntax errors, whose wording is free text.
private func expectInvalidJSON(_ bytes: [UInt8], tensor: String? = nil, mentioning fragment: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error = refusal(bytes, tensor: tensor, sourceLocation: sourceLocation) else { return }
    guard case let .invalidJSON(reason, offset) = error.problem else {
        Issue.record("expected invalidJSON, got \(error)", sourceLocation: sourceLocation)
        return
    }
    #expect(reason.contains(fragment), "\(reason)", sourceLocation: sourceLocation)
    #expect(offset >= 8 && offset <= bytes.count, sourceLocation: sourceLocation)
}

@Suite struct SafeTensorsValidationTests {
    // MARK: The file and its length prefix

    @Test func cannotOpenMissingFile() {
        let path = "/nonexistent-\(UUID().uuidString)/model.safetensors"
        #expect {
            try SafeTensorsFile(path: path)
        } throws: { error in
            guard let e = error as? SafeTensorsError, case .cannotOpen = e.problem else { return false }
            return e.path == path && e.description.contains(path) && e.tensor == nil
        }
    }

    @Test func filesShorterThanTheLengthPrefix() {
        expectRefusal([], tensor: nil, .fileTooShort(byteCount: 0))
        expectRefusal([1, 0, 0, 0, 0], tensor: nil, .fileTooShort(byteCount: 5))
        #expect(refusal([], tensor: nil)?.description.contains("empty") == true)
    }

    @Test func truncatedAtSeveralPoints() throws {
        let whole = try SafeTensorsTesting.withTemporaryPath { path in
            try SafeTensors.write(["a": Tensor([1, 2, 3, 4], shape: [4]), "b": Tensor([5, 6], shape: [2])], to: path)
            return SafeTensorsTesting.fileBytes(path)
        }
        let headerLength = Int(whole[0]) | Int(whole[1]) << 8
        let dataStart = 8 + headerLength
        #expect(whole.count == dataStart + 24)
        expectRefusal(Array(whole[..<3]), tensor: nil, .fileTooShort(byteCount: 3))
        expectRefusal(Array(whole[..<8]), tensor: nil, .headerBeyondFile(headerLength: UInt64(headerLength), fileSize: 8))
        expectRefusal(Array(whole[..<(8 + headerLength / 2)]), tensor: nil,
                      .headerBeyondFile(headerLength: UInt64(headerLength), fileSize: 8 + headerLength / 2))
        // Header intact, data missing or cut: the tensor that reaches past the end is named.
        expectRefusal(Array(whole[..<dataStart]), tensor: "a", .dataOffsetsBeyondData(begin: 0, end: 16, dataSize: 0))
        expectRefusal(Array(whole[..<(dataStart + 20)]), tensor: "b", .dataOffsetsBeyondData(begin: 16, end: 24, dataSize: 20))
        // The intact file opens.
        try SafeTensorsTesting.withTemporaryFile(whole) { path throws in
            #expect(try SafeTensorsFile(path: path).tensor("b").floats() == [5, 6])
        }
    }

    @Test func headerLengthLargerThanTheFileOrTheLimit() {
        expectRefusal(file("{}", claimedLength: 1000), tensor: nil, .headerBeyondFile(headerLength: 1000, fileSize: 10))
        // Lies beyond 100 MB are refused before anything is allocated or read.
        expectRefusal(file("{}", claimedLength: 100_000_001), tensor: nil,
                      .headerTooLarge(headerLength: 100_000_001, limit: 100_000_000))
        expectRefusal(file("{}", claimedLength: .max), tensor: nil, .headerTooLarge(headerLength: .max, limit: 100_000_000))
        expectRefusal(file("{}", claimedLength: 1 << 63), tensor: nil, .headerTooLarge(headerLength: 1 << 63, limit: 100_000_000))
    }

    // MARK: JSON

    @Test func invalidUTF8() {
        let header = Array(#"{"a"#.utf8) + [0xFF] + Array(#"":{}}"#.utf8)
        expectRefusal(file(rawHeader: header), tensor: nil, .invalidUTF8(byteOffset: 8 + 3))
        // An overlong encoding of '/' and a UTF-16 surrogate encoded in UTF-8 are invalid too.
        expectRefusal(file(rawHeader: Array(#"{""#.utf8) + [0xC0, 0xAF] + Array(#"":{}}"#.utf8)), tensor: nil,
                      .invalidUTF8(byteOffset: 8 + 2))
        expectRefusal(file(rawHeader: Array(#"{""#.utf8) + [0xED, 0xA0, 0x80] + Array(#"":{}}"#.utf8)), tensor: nil,
                      .invalidUTF8(byteOffset: 8 + 2))
    }

    @Test func corruptJSON() {
        expectInvalidJSON(file(""), mentioning: "ends")
        expectInvalidJSON(file("{"), mentioning: "quoted key")
        expectInvalidJSON(file(#"{"a":"#), tensor: "a", mentioning: "ends")
        expectInvalidJSON(file(#"{"a":\#(entry())"#, data: [UInt8](repeating: 0, count: 8)), mentioning: "'}'")
        expectInvalidJSON(file(#"{"a":\#(entry()),}"#, data: [UInt8](repeating: 0, count: 8)), mentioning: "quoted key")
        expectInvalidJSON(file("{'a':1}"), mentioning: "quoted key")
        expectInvalidJSON(file(#"{"a" 1}"#), mentioning: "':'")
        expectInvalidJSON(file(#"{"a":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}}"#), tensor: "a",
                          mentioning: "leading zeros")
        expectInvalidJSON(file(#"{"a":{"dtype":"F32","shape":[NaN],"data_offsets":[0,4]}}"#), tensor: "a",
                          mentioning: "unexpected character")
        expectInvalidJSON(file("{\"a\":{\"dtype\":\"F\t32\"}}"), tensor: "a", mentioning: "control character")
        expectInvalidJSON(file(#"{"a":{"dtype":"F\q32"}}"#), tensor: "a", mentioning: "invalid escape")
        expectInvalidJSON(file(#"{"\ud800":{}}"#), mentioning: "surrogate")
        expectInvalidJSON(file(#"{"a":{"x":tru}}"#), tensor: "a", mentioning: "true or false")
        // Anything but space padding after the object.
        expectInvalidJSON(file("{}  x"), mentioning: "after the closing")
        expectInvalidJSON(file("{}\0\0\0\0\0\0"), mentioning: "after the closing")
        expectInvalidJSON(file("{}{}"), mentioning: "after the closing")
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        expectInvalidJSON(file(#"{"a":{"extra":\#(deep),"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#),
                          tensor: "a", mentioning: "nested")
        let deepObject = String(repeating: #"{"k":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        expectInvalidJSON(file(#"{"a":{"extra":\#(deepObject)}}"#), tensor: "a", mentioning: "nested")
    }

    @Test func escapedNamesAndPaddingWhitespaceAreAccepted() throws {
        // "\u00e9" escapes, a surrogate pair and "\/" decode; tabs and newlines between tokens are fine.
        let json = "{\n\t\"caf\\u00e9\\/\\ud83c\\udfa8\" : \(entry("F32", "[ 1 ]", "[0, 4]")) }   "
        try SafeTensorsTesting.withTemporaryFile(file(json, data: [0, 0, 0x80, 0x3F])) { path in
            let f = try SafeTensorsFile(path: path)
            #expect(f.names == ["café/🎨"])
            #expect(try f.tensor("café/🎨").floats() == [1])
        }
    }

    // MARK: Structure

    @Test func topLevelMustBeAnObject() {
        expectRefusal(file("[]"), tensor: nil, .headerNotObject(found: "an array"))
        expectRefusal(file(#""weights""#), tensor: nil, .headerNotObject(found: "a string"))
        expectRefusal(file("  3"), tensor: nil, .headerNotObject(found: "a number"))
        expectRefusal(file("null"), tensor: nil, .headerNotObject(found: "null"))
    }

    @Test func entriesMustBeObjects() {
        expectRefusal(file(#"{"w":[1,2]}"#), tensor: "w", .entryNotObject(found: "an array"))
        expectRefusal(file(#"{"w":"F32"}"#), tensor: "w", .entryNotObject(found: "a string"))
        expectRefusal(file(#"{"w":null}"#), tensor: "w", .entryNotObject(found: "null"))
    }

    @Test func missingAndIllTypedFields() {
        expectRefusal(file(#"{"w":{"shape":[2],"data_offsets":[0,8]}}"#, data: .init(repeating: 0, count: 8)),
                      tensor: "w", .missingField("dtype"))
        expectRefusal(file(#"{"w":{"dtype":"F32","data_offsets":[0,8]}}"#, data: .init(repeating: 0, count: 8)),
                      tensor: "w", .missingField("shape"))
        expectRefusal(file(#"{"w":{"dtype":"F32","shape":[2]}}"#, data: .init(repeating: 0, count: 8)),
                      tensor: "w", .missingField("data_offsets"))
        expectRefusal(file(#"{"w":{"dtype":32,"shape":[2],"data_offsets":[0,8]}}"#), tensor: "w",
                      .wrongFieldType(field: "dtype", expected: "a string such as \"F32\"", found: "a number"))
        expectRefusal(file(#"{"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}"#), tensor: "w",
                      .wrongFieldType(field: "shape", expected: "an array of integers", found: "a string"))
        expectRefusal(file(#"{"w":{"dtype":"F32","shape":{},"data_offsets":[0,8]}}"#), tensor: "w",
                      .wrongFieldType(field: "shape", expected: "an array of integers", found: "an object"))
        expectRefusal(file(#"{"w":{"dtype":"F32","dtype":"F16","shape":[2],"data_offsets":[0,8]}}"#), tensor: "w",
                      .duplicateField("dtype"))
        expectRefusal(file(#"{"w":{"dtype":"F32","shape":[2],"shape":[2],"data_offsets":[0,8]}}"#), tensor: "w",
                      .duplicateField("shape"))
        expectRefusal(file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"data_offsets":[0,8]}}"#), tensor: "w",
                      .duplicateField("data_offsets"))
    }

    @Test func unknownFieldsAreIgnored() throws {
        let json = #"{"w":{"dtype":"F32","note":{"a":[1,2.5e3,true,null,"x"]},"shape":[1],"data_offsets":[0,4]}}"#
        try SafeTensorsTesting.withTemporaryFile(file(json, data: [0, 0, 0x80, 0x3F])) { path throws in
            #expect(try SafeTensorsFile(path: path).tensor("w").floats() == [1])
        }
    }

    @Test(arguments: ["F64", "BOOL", "F8_E4M3", "F8_E5M2", "U8", "I8", "f32", ""])
    func unsupportedDTypes(name: String) {
        let bytes = file(#"{"w":\#(entry(name, "[1]", "[0,1]"))}"#, data: [0])
        expectRefusal(bytes, tensor: "w", .unsupportedDType(name))
        let message = refusal(bytes, tensor: "w")?.description ?? ""
        for supported in ["F32", "F16", "BF16", "I32", "I64", "F64", "BOOL", "F8"] {
            #expect(message.contains(supported), "\(message)")
        }
    }

    // MARK: Shapes

    @Test func invalidDimensions() {
        expectRefusal(file(#"{"w":\#(entry("F32", "[2,-1]"))}"#), tensor: "w", .invalidDimension(index: 1, value: "-1"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[1.5]"))}"#), tensor: "w", .invalidDimension(index: 0, value: "1.5"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[2.0]"))}"#), tensor: "w", .invalidDimension(index: 0, value: "2.0"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[1e3]"))}"#), tensor: "w", .invalidDimension(index: 0, value: "1e3"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[\"2\"]"))}"#), tensor: "w", .invalidDimension(index: 0, value: "a string"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[[2]]"))}"#), tensor: "w", .invalidDimension(index: 0, value: "an array"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[null]"))}"#), tensor: "w", .invalidDimension(index: 0, value: "null"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[1,99999999999999999999]"))}"#), tensor: "w",
                      .invalidDimension(index: 1, value: "99999999999999999999"))
    }

    @Test func tooManyDimensions() {
        let shape = "[" + Array(repeating: "1", count: 65).joined(separator: ",") + "]"
        expectRefusal(file(#"{"w":\#(entry("F32", shape, "[0,4]"))}"#, data: [0, 0, 0, 0]), tensor: "w", .tooManyDimensions(65))
    }

    @Test func shapeProductOverflow() {
        expectRefusal(file(#"{"w":\#(entry("F32", "[4294967296,4294967296,4]", "[0,8]"))}"#), tensor: "w",
                      .shapeOverflow(shape: [4_294_967_296, 4_294_967_296, 4], dtype: .f32))
        // Elements fit, bytes do not.
        expectRefusal(file(#"{"w":\#(entry("I64", "[2305843009213693952]", "[0,8]"))}"#), tensor: "w",
                      .shapeOverflow(shape: [2_305_843_009_213_693_952], dtype: .i64))
        // A zero dimension makes any product fine (0 bytes).
        expectRefusal(file(#"{"w":\#(entry("F32", "[0,9223372036854775807]", "[0,8]"))}"#, data: .init(repeating: 0, count: 8)),
                      tensor: "w", .byteLengthMismatch(shape: [0, 9_223_372_036_854_775_807], dtype: .f32, expected: 0, actual: 8))
    }

    // MARK: Offsets

    @Test func dataOffsetsMustBeTwoNonNegativeIntegers() {
        let data = [UInt8](repeating: 0, count: 8)
        expectRefusal(file(#"{"w":\#(entry("F32", "[2]", "8"))}"#, data: data), tensor: "w", .invalidDataOffsets(found: "a number"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[2]", "{}"))}"#, data: data), tensor: "w", .invalidDataOffsets(found: "an object"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[2]", "[8]"))}"#, data: data), tensor: "w",
                      .invalidDataOffsets(found: "an array of 1 element"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[2]", "[]"))}"#, data: data), tensor: "w",
                      .invalidDataOffsets(found: "an array of 0 elements"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[2]", "[0,8,16]"))}"#, data: data), tensor: "w",
                      .invalidDataOffsets(found: "an array of more than two elements"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[2]", "[\"0\",8]"))}"#, data: data), tensor: "w",
                      .invalidDataOffsets(found: "an array holding a string"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[2]", "[-8,0]"))}"#, data: data), tensor: "w",
                      .invalidDataOffsets(found: "an array holding -8"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[2]", "[0,8.0]"))}"#, data: data), tensor: "w",
                      .invalidDataOffsets(found: "an array holding 8.0"))
        expectRefusal(file(#"{"w":\#(entry("F32", "[2]", "[0,18446744073709551616]"))}"#, data: data), tensor: "w",
                      .invalidDataOffsets(found: "an array holding 18446744073709551616"))
    }

    @Test func dataOffsetsOrderAndBounds() {
        let data = [UInt8](repeating: 0, count: 8)
        expectRefusal(file(#"{"w":\#(entry("F32", "[2]", "[8,0]"))}"#, data: data), tensor: "w",
                      .dataOffsetsReversed(begin: 8, end: 0))
        expectRefusal(file(#"{"w":\#(entry("F32", "[2]", "[4,12]"))}"#, data: data), tensor: "w",
                      .dataOffsetsBeyondData(begin: 4, end: 12, dataSize: 8))
        // Offsets above 2^53 are exact and refused without any allocation.
        expectRefusal(file(#"{"w":\#(entry("F32", "[1152921504606846976]", "[0,4611686018427387904]"))}"#, data: data),
                      tensor: "w", .dataOffsetsBeyondData(begin: 0, end: 4_611_686_018_427_387_904, dataSize: 8))
        expectRefusal(file(#"{"w":\#(entry("F32", "[2]", "[9007199254740993,9007199254741001]"))}"#, data: data),
                      tensor: "w", .dataOffsetsBeyondData(begin: 9_007_199_254_740_993, end: 9_007_199_254_741_001, dataSize: 8))
    }

    @Test func byteLengthMustMatchTheShape() {
        let data = [UInt8](repeating: 0, count: 16)
        expectRefusal(file(#"{"w":\#(entry("F32", "[3]", "[0,8]"))}"#, data: data), tensor: "w",
                      .byteLengthMismatch(shape: [3], dtype: .f32, expected: 12, actual: 8))
        expectRefusal(file(#"{"w":\#(entry("BF16", "[]", "[0,4]"))}"#, data: data), tensor: "w",
                      .byteLengthMismatch(shape: [], dtype: .bf16, expected: 2, actual: 4))
    }

    @Test func overlappingTensors() {
        let data = [UInt8](repeating: 0, count: 16)
        let json = #"{"a":\#(entry("F32", "[2]", "[0,8]")),"b":\#(entry("F32", "[2]", "[4,12]"))}"#
        expectRefusal(file(json, data: data), tensor: "b", .overlap(other: "a", range: 4..<12, otherRange: 0..<8))
        // The same bytes twice.
        let twice = #"{"a":\#(entry("F32", "[2]", "[0,8]")),"b":\#(entry("I64", "[1]", "[0,8]"))}"#
        expectRefusal(file(twice, data: data), tensor: "b", .overlap(other: "a", range: 0..<8, otherRange: 0..<8))
        // One inside a larger one listed later.
        let inside = #"{"small":\#(entry("F32", "[1]", "[8,12]")),"big":\#(entry("F32", "[4]", "[0,16]"))}"#
        expectRefusal(file(inside, data: data), tensor: "small", .overlap(other: "big", range: 8..<12, otherRange: 0..<16))
    }

    @Test func emptyTensorsGapsAndTrailingBytesAreAccepted() throws {
        // Zero-byte tensors anywhere, a gap between tensors, unused bytes at the end.
        let json = #"{"e":\#(entry("F32", "[0,3]", "[4,4]")),"a":\#(entry("F32", "[1]", "[0,4]")),"b":\#(entry("F32", "[1]", "[8,12]"))}"#
        let data: [UInt8] = [0, 0, 0x80, 0x3F, 9, 9, 9, 9, 0, 0, 0, 0x40, 7, 7]
        try SafeTensorsTesting.withTemporaryFile(file(json, data: data)) { path in
            let f = try SafeTensorsFile(path: path)
            #expect(f.names == ["a", "b", "e"])
            #expect(try f.tensor("a").floats() == [1])
            #expect(try f.tensor("b").floats() == [2])
            #expect(try f.tensor("e").shape == [0, 3])
        }
    }

    // MARK: Names and metadata

    @Test func duplicateTensorNames() {
        let json = #"{"w":\#(entry("F32", "[1]", "[0,4]")),"w":\#(entry("F32", "[1]", "[4,8]"))}"#
        expectRefusal(file(json, data: .init(repeating: 0, count: 8)), tensor: "w", .duplicateTensor)
    }

    @Test func metadataMustBeAnObjectOfStrings() throws {
        expectRefusal(file(#"{"__metadata__":["pt"]}"#), tensor: nil, .metadataNotObject(found: "an array"))
        expectRefusal(file(#"{"__metadata__":"pt"}"#), tensor: nil, .metadataNotObject(found: "a string"))
        expectRefusal(file(#"{"__metadata__":{"format":"pt","epoch":3}}"#), tensor: nil,
                      .metadataValueNotString(key: "epoch", found: "a number"))
        expectRefusal(file(#"{"__metadata__":{"nested":{"a":"b"}}}"#), tensor: nil,
                      .metadataValueNotString(key: "nested", found: "an object"))
        expectRefusal(file(#"{"__metadata__":{"k":"a","k":"b"}}"#), tensor: nil, .duplicateMetadataKey("k"))
        expectRefusal(file(#"{"__metadata__":{},"__metadata__":{}}"#), tensor: nil, .duplicateMetadataKey("__metadata__"))
        #expect(refusal(file(#"{"__metadata__":{"epoch":3}}"#), tensor: nil)?.description.contains("epoch") == true)
        // null metadata means none (the reference implementation reads it as an Option).
        try SafeTensorsTesting.withTemporaryFile(file(#"{"__metadata__":null}"#)) { path in
            let f = try SafeTensorsFile(path: path)
            #expect(f.metadata.isEmpty)
            #expect(f.names.isEmpty)
        }
    }

    // MARK: Robustness

    /// Every prefix of a valid file, and many random corruptions of its header, either open (and then every
    /// tensor reads) or raise a SafeTensorsError: never a crash, never another error.
    @Test func truncationsAndRandomCorruptionsNeverCrash() throws {
        let whole = try SafeTensorsTesting.withTemporaryPath { path in
            try SafeTensors.write([
                (name: "w", tensor: Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])),
                (name: "h", tensor: Tensor([7, 8], shape: [2]).hostConverted(to: .f16)),
                (name: "ids", tensor: Tensor(ids: [9], shape: [], dtype: .i64)),
            ], metadata: ["format": "pt"], to: path)
            return SafeTensorsTesting.fileBytes(path)
        }
        let headerEnd = 8 + (Int(whole[0]) | Int(whole[1]) << 8)
        var candidates = (0...whole.count).map { Array(whole[..<$0]) }
        var random = TestRandom(seed: 42)
        let interesting = Array("{}[]\",:-.0123456789eE \u{0}\u{7F}".utf8) + [0xFF, 0xC3]
        for _ in 0..<300 {
            var bytes = whole
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let position = Int(random.next() % UInt64(headerEnd))
                bytes[position] = random.next() % 2 == 0
                    ? interesting[Int(random.next() % UInt64(interesting.count))]
                    : UInt8(truncatingIfNeeded: random.next())
            }
            candidates.append(bytes)
        }
        var opened = 0
        for bytes in candidates {
            SafeTensorsTesting.withTemporaryFile(bytes) { path in
                do {
                    let f = try SafeTensorsFile(path: path)
                    opened += 1
                    for name in f.names { _ = try f.tensor(name, as: .f32).floats() }
                } catch is SafeTensorsError {
                } catch {
                    Issue.record("unexpected error \(error)")
                }
            }
        }
        #expect(opened >= 1) // at least the whole file
    }

    // MARK: Lookup and writing

    @Test func unknownTensorNamesTheFileAndTheName() throws {
        try SafeTensorsTesting.withTemporaryPath { path in
            try SafeTensors.write(["conv.weight": Tensor([1], shape: [1])], to: path)
            let f = try SafeTensorsFile(path: path)
            #expect {
                try f.tensor("conv.bias")
            } throws: { error in
                guard let e = error as? SafeTensorsError else { return false }
                return e.problem == .tensorNotFound(available: ["conv.weight"]) && e.tensor == "conv.bias"
                    && e.description.contains("'conv.bias'") && e.description.contains("'conv.weight'")
                    && e.description.contains(path)
            }
            #expect(throws: SafeTensorsError.self) { try f.tensor("conv.bias", as: .f16) }
        }
    }

    @Test func writerRefusesBadNamesAndUnwritablePaths() {
        SafeTensorsTesting.withTemporaryPath { path in
            let one = Tensor([1], shape: [1])
            #expect(throws: SafeTensorsError(path: path, tensor: "__metadata__", problem: .reservedName)) {
                try SafeTensors.write([(name: "__metadata__", tensor: one)], to: path)
            }
            #expect(throws: SafeTensorsError(path: path, tensor: "x", problem: .duplicateTensor)) {
                try SafeTensors.write([(name: "x", tensor: one), (name: "x", tensor: one)], to: path)
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
        let bad = "/nonexistent-\(UUID().uuidString)/out.safetensors"
        #expect {
            try SafeTensors.write(["x": Tensor([1], shape: [1])], to: bad)
        } throws: { error in
            guard let e = error as? SafeTensorsError, case .cannotWrite = e.problem else { return false }
            return e.description.contains(bad)
        }
    }
}
