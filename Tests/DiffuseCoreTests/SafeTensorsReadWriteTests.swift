import Foundation
import Testing
import DiffuseCore
import DiffuseTestSupport

/// Temporary files and sample tensors for the safetensors tests (a namespace, so that other test files of
/// this target can use the same short names freely).
enum SafeTensorsTesting {
    /// A unique path in the temporary directory, removed after `body`.
    static func withTemporaryPath<R>(_ body: (String) throws -> R) rethrows -> R {
        let path = FileManager.default.temporaryDirectory.path + "/diffuse-safetensors-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    /// Writes `bytes` to a temporary file and passes its path to `body`.
    static func withTemporaryFile<R>(_ bytes: [UInt8], _ body: (String) throws -> R) rethrows -> R {
        try withTemporaryPath { path in
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            return try body(path)
        }
    }

    static func fileBytes(_ path: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path) ?? Data())
    }

    /// The raw bytes of a tensor in row-major order.
    static func rawBytes(_ t: Tensor) -> [UInt8] {
        let c = t.hostContiguous()
        return [UInt8](UnsafeRawBufferPointer(start: c.rawPointer, count: c.byteCount))
    }

    /// A tensor of `dtype` with deterministic values.
    static func sampleTensor(_ shape: [Int], _ dtype: DType, seed: UInt64) -> Tensor {
        var random = TestRandom(seed: seed)
        let count = shape.reduce(1, *)
        switch dtype {
        case .i32, .i64:
            return Tensor(ids: (0..<count).map { _ in Int(random.next() % 100_000) - 50_000 }, shape: shape, dtype: dtype)
        default:
            return Tensor(random.floats(count, scale: 10), shape: shape).hostConverted(to: dtype)
        }
    }
}

@Suite struct SafeTensorsReadWriteTests {
    static let shapes: [[Int]] = [[], [0], [3, 0, 2], [1], [5], [2, 3, 4]]

    @Test(arguments: DType.allCases)
    func roundTripsEveryDTypeAndShape(dtype: DType) throws {
        try SafeTensorsTesting.withTemporaryPath { path in
            var tensors: [(name: String, tensor: Tensor)] = []
            for (i, shape) in Self.shapes.enumerated() {
                tensors.append((name: "t\(i)", tensor: SafeTensorsTesting.sampleTensor(shape, dtype, seed: UInt64(i))))
            }
            try SafeTensors.write(tensors, to: path)
            let file = try SafeTensorsFile(path: path)
            #expect(file.path == path)
            #expect(file.names == tensors.map(\.name).sorted())
            #expect(file.metadata.isEmpty)
            for (name, original) in tensors {
                let read = try file.tensor(name)
                #expect(read.dtype == dtype)
                #expect(read.shape == original.shape)
                #expect(SafeTensorsTesting.rawBytes(read) == SafeTensorsTesting.rawBytes(original), "\(name)")
                let info = try #require(file.info(name))
                #expect(info == SafeTensorInfo(name: name, dtype: dtype, shape: original.shape,
                                               dataOffsets: info.dataOffsets))
                #expect(info.dataOffsets.count == original.byteCount)
            }
        }
    }

    @Test func readsAreZeroCopyViewsOfTheMapping() throws {
        try SafeTensorsTesting.withTemporaryPath { path in
            try SafeTensors.write(["w": SafeTensorsTesting.sampleTensor([4, 3], .bf16, seed: 1), "b": SafeTensorsTesting.sampleTensor([3], .f32, seed: 2)],
                                  to: path)
            let file = try SafeTensorsFile(path: path)
            let w = try file.tensor("w")
            #expect(w.storage.kind == .mapped)
            #expect(w.dtype == .bf16)
            #expect(w.isContiguous)
            let same = try file.tensor("w", as: .bf16)
            #expect(same.storage.kind == .mapped)
            #expect(same.rawPointer == w.rawPointer)
            let b = try file.tensor("b")
            #expect(b.storage.kind == .mapped)
            #expect(Int(bitPattern: b.rawPointer) % 4 == 0)
        }
    }

    @Test func tensorsOutliveTheFileValue() throws {
        let values: [Float] = [1, 2, 3, 4]
        let tensor: Tensor = try SafeTensorsTesting.withTemporaryPath { path in
            try SafeTensors.write(["x": Tensor(values, shape: [2, 2])], to: path)
            return try SafeTensorsFile(path: path).tensor("x")
        }
        // The file is deleted and the SafeTensorsFile gone; the tensor keeps the mapping alive.
        #expect(tensor.floats() == values)
    }

    @Test func convertsOnRead() throws {
        try SafeTensorsTesting.withTemporaryPath { path in
            let original = SafeTensorsTesting.sampleTensor([3, 5], .f32, seed: 7)
            try SafeTensors.write(["x": original, "ids": Tensor(ids: [1, -2, 3], shape: [3], dtype: .i64)], to: path)
            let file = try SafeTensorsFile(path: path)
            for target in [DType.f16, .bf16] {
                let read = try file.tensor("x", as: target)
                #expect(read.dtype == target)
                #expect(read.storage.kind == .owned)
                #expect(SafeTensorsTesting.rawBytes(read) == SafeTensorsTesting.rawBytes(original.hostConverted(to: target)))
            }
            let ids = try file.tensor("ids", as: .i32)
            #expect(ids.dtype == .i32)
            #expect((0..<3).map { ids.scalar(atFlat: $0) } == [1, -2, 3])
            #expect(try file.tensor("ids", as: .f32).floats() == [1, -2, 3])
        }
    }

    @Test func writesNonContiguousViewsRowMajor() throws {
        try SafeTensorsTesting.withTemporaryPath { path in
            let base = Tensor((0..<6).map(Float.init), shape: [2, 3])
            try SafeTensors.write([(name: "t", tensor: base.transposed()), (name: "s", tensor: base.sliced(dim: 1, 1..<3))],
                                  to: path)
            let file = try SafeTensorsFile(path: path)
            #expect(try file.tensor("t").shape == [3, 2])
            #expect(try file.tensor("t").floats() == [0, 3, 1, 4, 2, 5])
            #expect(try file.tensor("s").floats() == [1, 2, 4, 5])
        }
    }

    @Test func metadataRoundTripsWithEscapes() throws {
        try SafeTensorsTesting.withTemporaryPath { path in
            let metadata = ["format": "pt", "quote\"back\\slash": "line\nbreak\ttab \u{01} é 🎨 /", "": ""]
            try SafeTensors.write([(name: "naïve \"name\"", tensor: Tensor([1], shape: [1]))], metadata: metadata, to: path)
            let file = try SafeTensorsFile(path: path)
            #expect(file.metadata == metadata)
            #expect(file.names == ["naïve \"name\""])
            #expect(try file.tensor("naïve \"name\"").floats() == [1])
        }
    }

    /// Exactly the bytes Python's `safetensors.numpy.save` (0.8) writes for this dictionary; ours must be
    /// identical, and we must read Python's.
    static let pythonBytes: [UInt8] = {
        let json = #"{"__metadata__":{"format":"pt"},"c":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"#
            + #""a":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]},"s":{"dtype":"F32","shape":[],"data_offsets":[12,16]},"#
            + #""z":{"dtype":"F32","shape":[0,3],"data_offsets":[16,16]},"d":{"dtype":"I32","shape":[2],"data_offsets":[16,24]},"#
            + #""b":{"dtype":"F16","shape":[3],"data_offsets":[24,30]}}      "#
        var bytes: [UInt8] = [0x70, 0x01, 0, 0, 0, 0, 0, 0] // 368
        bytes += Array(json.utf8)
        bytes += [7, 0, 0, 0, 0, 0, 0, 0] // c: int64 7
        bytes += [0x00, 0x00, 0xC0, 0x3F] // a: 1.5
        bytes += [0x00, 0x00, 0x00, 0x40] // s: 2.0
        bytes += [1, 0, 0, 0, 2, 0, 0, 0] // d: int32 [1, 2]
        bytes += [0x00, 0x3C, 0x00, 0x40, 0x00, 0x42] // b: f16 [1, 2, 3]
        return bytes
    }()

    @Test func matchesPythonByteForByte() throws {
        #expect(Self.pythonBytes.count == 8 + 368 + 30)
        try SafeTensorsTesting.withTemporaryFile(Self.pythonBytes) { path in
            let file = try SafeTensorsFile(path: path)
            #expect(file.names == ["a", "b", "c", "d", "s", "z"])
            #expect(file.metadata == ["format": "pt"])
            #expect(file.info("d") == SafeTensorInfo(name: "d", dtype: .i32, shape: [2], dataOffsets: 16..<24))
            #expect(try file.tensor("a").floats() == [1.5])
            #expect(try file.tensor("s").shape == [])
            #expect(try file.tensor("s").floats() == [2])
            #expect(try file.tensor("z").shape == [0, 3])
            #expect(try file.tensor("b").dtype == .f16)
            #expect(try file.tensor("b").floats() == [1, 2, 3])
            #expect(try file.tensor("c").scalar(atFlat: 0) == 7)
            #expect(try file.tensor("d").floats() == [1, 2])
        }
        try SafeTensorsTesting.withTemporaryPath { path in
            try SafeTensors.write([
                "b": Tensor([1, 2, 3], shape: [3]).hostConverted(to: .f16),
                "a": Tensor([1.5], shape: [1, 1]),
                "c": Tensor(ids: [7], shape: [1], dtype: .i64),
                "d": Tensor(ids: [1, 2], shape: [2], dtype: .i32),
                "s": Tensor([2], shape: []),
                "z": Tensor(zeros: [0, 3]),
            ], metadata: ["format": "pt"], to: path)
            #expect(SafeTensorsTesting.fileBytes(path) == Self.pythonBytes)
        }
    }

    @Test func keepsEveryTensorAlignedByGroupingDTypes() throws {
        try SafeTensorsTesting.withTemporaryPath { path in
            try SafeTensors.write([
                (name: "h", tensor: Tensor(zeros: [3], dtype: .f16)),
                (name: "f", tensor: Tensor([1, 2], shape: [2])),
                (name: "g", tensor: Tensor(zeros: [1], dtype: .bf16)),
                (name: "l", tensor: Tensor(ids: [5], shape: [1], dtype: .i64)),
            ], to: path)
            let file = try SafeTensorsFile(path: path)
            #expect(file.infos.map(\.name) == ["l", "f", "g", "h"])
            #expect(file.dataStart % 8 == 0)
            for info in file.infos {
                #expect(info.dataOffsets.lowerBound % info.dtype.byteSize == 0, "\(info.name)")
            }
            #expect(try file.tensor("f").floats() == [1, 2])
        }
    }

    @Test func copiesMisalignedTensorsOfForeignFiles() throws {
        // An f16 of one element, then an f32 starting at data offset 2 (no writer we know does this).
        var json = #"{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"f":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#
        while json.utf8.count % 8 != 0 { json += " " }
        var bytes = withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian, Array.init)
        bytes += Array(json.utf8) + [0x00, 0x3C] + [0x00, 0x00, 0x20, 0x40] // 1.0 (f16), 2.5 (f32)
        try SafeTensorsTesting.withTemporaryFile(bytes) { path in
            let file = try SafeTensorsFile(path: path)
            let f = try file.tensor("f")
            #expect(f.storage.kind == .owned)
            #expect(f.floats() == [2.5])
            #expect(try file.tensor("h").storage.kind == .mapped)
            #expect(try file.tensor("h").floats() == [1])
        }
    }

    @Test func zeroTensorFiles() throws {
        try SafeTensorsTesting.withTemporaryPath { path in
            try SafeTensors.write([], to: path)
            #expect(SafeTensorsTesting.fileBytes(path) == [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8)) // as Python writes it
            let file = try SafeTensorsFile(path: path)
            #expect(file.names.isEmpty)
            #expect(file.metadata.isEmpty)
            #expect(file.info("x") == nil)
        }
        // Unpadded "{}", and metadata with no tensors.
        try SafeTensorsTesting.withTemporaryFile([2, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8)) { path in
            let file = try SafeTensorsFile(path: path)
            #expect(file.names.isEmpty)
        }
        try SafeTensorsTesting.withTemporaryPath { path in
            try SafeTensors.write([], metadata: ["k": "v"], to: path)
            let file = try SafeTensorsFile(path: path)
            #expect(file.names.isEmpty)
            #expect(file.metadata == ["k": "v"])
        }
    }

    @Test func overwritingAMappedFileLeavesOldTensorsIntact() throws {
        try SafeTensorsTesting.withTemporaryPath { path in
            try SafeTensors.write(["x": Tensor([1, 2, 3], shape: [3])], to: path)
            let old = try SafeTensorsFile(path: path).tensor("x")
            try SafeTensors.write(["x": Tensor([9], shape: [1])], to: path)
            #expect(old.floats() == [1, 2, 3])
            #expect(try SafeTensorsFile(path: path).tensor("x").floats() == [9])
            // No temporary files are left behind.
            let folder = (path as NSString).deletingLastPathComponent
            let name = (path as NSString).lastPathComponent
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(name + ".tmp") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test func dictionaryOverloadSortsByName() throws {
        try SafeTensorsTesting.withTemporaryPath { path in
            try SafeTensors.write(["b": Tensor([2], shape: [1]), "a": Tensor([1], shape: [1]), "c": Tensor([3], shape: [1])],
                                  to: path)
            let file = try SafeTensorsFile(path: path)
            #expect(file.infos.map(\.name) == ["a", "b", "c"])
            #expect(file.info("c")?.dataOffsets == 8..<12)
        }
    }
}
