/// How the threads share one packed B block: each takes a contiguous share of the row tiles, or — when there
/// are few rows (attention's PV, small batches) — of the column panels. Shares are contiguous so each thread
/// walks its A rows once per block.
struct GEMMWorkSplit {
    let m: Int
    let mr: Int
    let tiles: Int
    let panels: Int
    let threads: Int
    let splitsRows: Bool

    init(m: Int, mr: Int, panels: Int, threads: Int) {
        self.m = m
        self.mr = mr
        tiles = (m + mr - 1) / mr
        self.panels = panels
        self.threads = threads
        splitsRows = tiles >= 4 * threads || tiles >= panels
    }

    /// Rows of C (absolute) and column panels (relative to the block) of task t < threads.
    func share(_ t: Int) -> (rows: Range<Int>, panels: Range<Int>) {
        if splitsRows {
            return ((tiles * t / threads * mr) ..< min(m, tiles * (t + 1) / threads * mr), 0 ..< panels)
        }
        return (0 ..< m, (panels * t / threads) ..< (panels * (t + 1) / threads))
    }
}
