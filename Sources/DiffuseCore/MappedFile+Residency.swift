#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How much of a mapped file is in this process's resident memory, and giving it back.
extension MappedFile {
    /// Drops this mapping's pages from the process's resident memory (`madvise(MADV_DONTNEED)`). The
    /// mapping is read-only and private, so nothing is lost: the next read faults the pages back in from
    /// the page cache (or the disk). The pipeline calls it between stages, so that only the component
    /// that is computing counts in the resident set (a text encoder is not needed while denoising).
    public func releaseResidentPages() {
        guard byteCount > 0 else { return }
        _ = madvise(base, byteCount, MADV_DONTNEED)
    }

    /// Bytes of this mapping resident in the process (the `Rss` of its range in `/proc/self/smaps`);
    /// nil where that file does not exist (not Linux).
    public var residentBytes: Int? {
        guard byteCount > 0, let file = fopen("/proc/self/smaps", "r") else { return nil }
        defer { fclose(file) }
        let start = UInt(bitPattern: base), end = start + UInt(byteCount)
        var inside = false, total = 0
        var buffer = [CChar](repeating: 0, count: 512)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            let line = String(cString: buffer)
            // A mapping header: "7f12a000-7f12b000 r--p …"; field lines: "Rss:   1234 kB".
            if let dash = line.firstIndex(of: "-"), let space = line.firstIndex(of: " "), dash < space,
               let low = UInt(line[..<dash], radix: 16),
               let high = UInt(line[line.index(after: dash)..<space], radix: 16) {
                inside = low < end && high > start
            } else if inside, line.hasPrefix("Rss:") {
                total += (Int(line.dropFirst(4).split(separator: " ").first ?? "") ?? 0) * 1024
            }
        }
        return total
    }
}
