import Testing
import DiffuseCore

/// `MappedFile.releaseResidentPages` drops a mapping's pages from the resident set (as `/proc/self/smaps`
/// counts them for that range) and loses nothing: the bytes read back equal the file's.
@Suite struct MappedFileResidencyTests {
    @Test(.enabled(if: MappedFileResidencyTests.hasSmaps, "needs /proc/self/smaps (Linux)"))
    func releasedPagesLeaveTheResidentSetAndComeBack() throws {
        let size = 8 << 20
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        try SafeTensorsTesting.withTemporaryFile(bytes) { path in
            let file = try MappedFile(path: path)
            func checksum() -> Int {
                let p = file.base.assumingMemoryBound(to: UInt8.self)
                return stride(from: 0, to: size, by: 1).reduce(0) { $0 &+ Int(p[$1]) &* ($1 | 1) }
            }
            let expected = bytes.indices.reduce(0) { $0 &+ Int(bytes[$1]) &* ($1 | 1) }
            #expect(checksum() == expected)
            let touched = try #require(file.residentBytes)
            #expect(touched == size, "every page was read: \(touched) of \(size) bytes resident")

            file.releaseResidentPages()
            let released = try #require(file.residentBytes)
            #expect(released == 0, "\(released) bytes still resident after the release")

            #expect(checksum() == expected)                 // read back from the page cache, unchanged
            #expect(file.residentBytes == size)
        }
    }

    static var hasSmaps: Bool {
        #if os(Linux)
        true
        #else
        false
        #endif
    }
}
