/// Byte-block copies shared by concat: `outer` repetitions of consecutive blocks, one block per source.
/// sources[i]: [outer, blockBytes[i]] contiguous → out: [outer, Σ blockBytes] contiguous.
/// Tasks are (outer index, source) pairs, split across threads.
enum BlockCopy {
    static func interleave(_ sources: [UnsafeRawPointer], blockBytes: [Int], outer: Int, into out: UnsafeMutableRawPointer) {
        let rowBytes = blockBytes.reduce(0, +)
        var offsets = [Int](), running = 0
        for b in blockBytes { offsets.append(running); running += b }
        let count = sources.count
        // About 64 KB per task at least, so small concats stay on one thread.
        let grain = max(1, (1 << 16) / max(rowBytes / max(count, 1), 1))
        Parallel.forRanges(outer * count, grain: grain) { units in
            for unit in units {
                let o = unit / count, i = unit % count
                (out + o * rowBytes + offsets[i]).copyMemory(from: sources[i] + o * blockBytes[i], byteCount: blockBytes[i])
            }
        }
    }
}
