/// How the output of a Winograd convolution is cut into m × m tiles.
///
/// Tiles are numbered image by image, row by row: tile t is image t / (tilesY·tilesX), tile row ty,
/// tile column tx; it writes output rows m·ty ..< m·ty + m and columns m·tx ..< m·tx + m (clipped to
/// H × W, so odd sizes work) and reads input rows and columns from m·ty − 1 and m·tx − 1 (padding 1).
struct WinogradTiling: Sendable {
    let m: Int
    let images, height, width: Int

    var tilesY: Int { (height + m - 1) / m }
    var tilesX: Int { (width + m - 1) / m }
    var tilesPerImage: Int { tilesY * tilesX }
    var tiles: Int { images * tilesPerImage }

    /// Calls `body(image, ty, columns, first)` for each run of tiles of `block` inside one tile row, in
    /// order: tile columns `columns` of tile row ty of `image`, whose first tile is number `first`.
    @inline(__always)
    func forEachRow(in block: Range<Int>, _ body: (Int, Int, Range<Int>, Int) -> Void) {
        let columns = tilesX, perImage = tilesPerImage
        var t = block.lowerBound
        while t < block.upperBound {
            let image = t / perImage, inImage = t % perImage
            let ty = inImage / columns, tx = inImage % columns
            let count = min(columns - tx, block.upperBound - t)
            body(image, ty, tx ..< tx + count, t)
            t += count
        }
    }
}
