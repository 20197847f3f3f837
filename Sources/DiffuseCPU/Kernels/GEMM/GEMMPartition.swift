/// How C[m, n] is cut into rectangles for the threads (each rectangle is one task, run start to finish by
/// one thread with its own packed B):
/// - B wide enough (≥ `minColumnChunkPanels` micro-panels per thread, 8 = 128 columns by default): column chunks of about nc, their count a multiple of the
///   threads, so each chunk is about one L2-sized B block and the dynamic hand-out evens out a core slowed
///   by other work. Every chunk streams all of A (a cheap sequential read) but packs only its own B
///   (the im2col gather of a convolution is the expensive part, so it is never duplicated);
/// - otherwise, with enough rows (≥ 4 micro-tiles per thread): one row chunk per thread, each packing the
///   same narrow B (attention's PV: N = 40);
/// - otherwise: column chunks, one per thread.
/// Chunk edges fall on micro-tile boundaries (mr rows, nr columns).
struct GEMMPartition {
    let rowChunks: Int
    let columnChunks: Int
    let m, n, mr, nr: Int

    init(m: Int, n: Int, mr: Int, nr: Int, nc: Int, threads: Int, minColumnChunkPanels: Int = 8) {
        self.m = m
        self.n = n
        self.mr = mr
        self.nr = nr
        let tiles = (m + mr - 1) / mr, panels = (n + nr - 1) / nr
        if threads <= 1 {
            (rowChunks, columnChunks) = (1, 1)
        } else if panels >= minColumnChunkPanels * threads {
            let blocks = max(threads, (n + nc / 2) / nc)
            (rowChunks, columnChunks) = (1, min(panels, (blocks + threads - 1) / threads * threads))
        } else if tiles >= 4 * threads {
            (rowChunks, columnChunks) = (threads, 1)
        } else {
            (rowChunks, columnChunks) = (1, max(1, min(threads, panels)))
        }
    }

    var count: Int { rowChunks * columnChunks }

    /// Rows and columns of C of rectangle t < count.
    func rectangle(_ t: Int) -> (rows: Range<Int>, columns: Range<Int>) {
        let r = t / columnChunks, q = t % columnChunks
        let tiles = (m + mr - 1) / mr, panels = (n + nr - 1) / nr
        let rows = min(m, tiles * r / rowChunks * mr) ..< min(m, tiles * (r + 1) / rowChunks * mr)
        let columns = min(n, panels * q / columnChunks * nr) ..< min(n, panels * (q + 1) / columnChunks * nr)
        return (rows, columns)
    }
}
