import DiffuseBench
import DiffuseNN
import DiffusePipeline
import Testing

/// Grid expansion, option parsing and the memory prediction of `diffuse bench <component>`.
struct BenchGridTests {
    @Test func gridExpandsEveryCombinationVanillaFirst() {
        let grid = BenchGrid(arch: "sd15", component: .unet, sizes: [(256, 256), (512, 384)], batches: [4, 1, 2, 1],
                             attentions: [.flash, .vanilla, .memoryEfficient], precisions: [.f32, .bf16],
                             compiled: [false, true])
        let cells = grid.cells
        #expect(cells.count == 2 * 2 * 2 * 3 * 3)                  // precisions × compiled × sizes × batches × attention
        #expect(cells.prefix(3).map(\.attention) == [.vanilla, .flash, .memoryEfficient])
        #expect(cells.prefix(9).map(\.batch) == [1, 1, 1, 2, 2, 2, 4, 4, 4])
        #expect(cells.prefix(36).allSatisfy { $0.precision == .f32 })
        #expect(cells[9].width == 512 && cells[9].height == 384)
        #expect(Set(cells.map(\.compiled)) == [false, true])
        #expect(cells[0].vanillaReference == cells[0])
    }

    @Test func sizesParseOrExplain() throws {
        #expect(try BenchGrid.parseSize("512") == (512, 512))
        #expect(try BenchGrid.parseSize("768x512") == (768, 512))
        for bad in ["abc", "500", "64x", "12", "0x0", "-8", "65536", "8192x16384"] {
            #expect(throws: BenchError.self) { try BenchGrid.parseSize(bad) }
        }
        // The largest size and batch the options accept: the memory prediction stays finite and positive
        // (issue #20: --size 65536 --batch 10¹² overflowed it).
        let cell = BenchCell(arch: "sd15", component: .pipeline, width: BenchGrid.maxSide, height: BenchGrid.maxSide,
                             batch: BenchGrid.maxBatch, attention: .vanilla, precision: .f32)
        for arch in SyntheticArch.allCases {
            #expect(ModelConfigs(arch).memoryModel().peakBytes(cell.memoryRequest, weights: .bytes(1 << 34)) > 0)
        }
    }

    @Test func memorySizesParse() {
        #expect(MemorySize.parse("16GiB") == 16 << 30)
        #expect(MemorySize.parse("16G") == 16 << 30)
        #expect(MemorySize.parse("512MiB") == 512 << 20)
        #expect(MemorySize.parse("1.5GB") == 1_500_000_000)
        #expect(MemorySize.parse("123456") == 123_456)
        #expect(MemorySize.parse("12XB") == nil)
        #expect(MemorySize.parse("lots") == nil)
        #expect(MemorySize.defaultLimit(machineBytes: 24 << 30) == (24 << 30) - (24 << 30) / 10)
        #expect(MemorySize.defaultLimit(machineBytes: 4 << 30) == 3 << 30)   // margin at least 1 GiB
    }

    /// The score matrices decide who runs out of memory first: SD 1.5 at 512² (4096 tokens, 8 heads at
    /// the first level) holds batch · 8 · 4096² f32 scores and their softmax with vanilla attention
    /// (1 GiB per image), flash at most 512 KiB. With 3.2 GiB of weights and a 7.5 GiB limit, vanilla is
    /// out of memory from batch 4, flash still fits at batch 16.
    @Test func vanillaRunsOutOfMemoryBeforeFlash() {
        let prediction = ModelConfigs(.sd15).memoryModel()
        #expect(MemoryAttention(.vanilla).scoreBytes(batch: 2, heads: 8, queries: 4096, keys: 4096) == 2 << 30)
        #expect(MemoryAttention(.sliced).scoreBytes(batch: 2, heads: 8, queries: 4096, keys: 4096) == 128 << 20)
        let weights = 3_438_000_000, limit = 15 << 29              // 7.5 GiB
        func fits(_ attention: AttentionChoice, _ batch: Int) -> Bool {
            let cell = BenchCell(arch: "sd15", component: .unet, width: 512, height: 512, batch: batch,
                                 attention: attention, precision: .f32)
            return prediction.peakBytes(cell.memoryRequest, weights: .bytes(weights)) <= limit
        }
        #expect(fits(.vanilla, 2) && !fits(.vanilla, 4))
        #expect([1, 2, 4, 8, 16].allSatisfy { fits(.flash, $0) && fits(.memoryEfficient, $0) })
        // The pipeline runs the UNet on 2·batch latents (classifier-free guidance).
        let pipeline = BenchCell(arch: "sd15", component: .pipeline, width: 512, height: 512, batch: 2,
                                 attention: .vanilla, precision: .f32)
        #expect(prediction.activationBytes(pipeline.memoryRequest) >= 4 << 30)
    }
}
