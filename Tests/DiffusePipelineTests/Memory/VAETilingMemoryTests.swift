import DiffuseBench
import DiffuseNN
import DiffusePipeline
import Testing

/// With `--vae-tiling` the memory prediction counts one tile of one image (plus the tiles and the joined
/// image), not the whole decode: a 2048² SD 1.5 decode drops from 17 GB of activations to about 1.2 GB,
/// so the memory check no longer refuses what tiling makes fit.
struct VAETilingMemoryTests {
    @Test func tiledDecodeCountsOneTile() {
        let configs = ModelConfigs(.sd15)
        let model = configs.memoryModel()
        var request = MemoryRequest(call: .vae, width: 2048, height: 2048, batch: 2, attention: MemoryAttention(.flash))
        let whole = model.activationBytes(request)
        request.vaeTile = configs.vae.sampleSize.height                                       // 512
        let tiled = model.activationBytes(request)
        #expect(whole == 4 * 2 * 2048 * 2048 * MemoryModel.vaeActivationFactor * 256 + (512 << 10))
        #expect(tiled == 4 * 512 * 512 * MemoryModel.vaeActivationFactor * 256 + 2 * 4 * 2 * 3 * 2048 * 2048 + (512 << 10))
        // An image no larger than one tile decodes whole: the same prediction.
        var small = MemoryRequest(call: .vae, width: 512, height: 512, batch: 2, attention: MemoryAttention(.flash))
        let untiled = model.activationBytes(small)
        small.vaeTile = 512
        #expect(model.activationBytes(small) == untiled)
    }
}
