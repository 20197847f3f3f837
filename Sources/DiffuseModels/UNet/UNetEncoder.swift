import DiffuseCore
import DiffuseNN

/// The first half of diffusers' `UNet2DConditionModel` (models/unets/unet_2d_condition.py), which a
/// ControlNet copies layer for layer (models/controlnets/controlnet.py): the time embedding (+ SDXL's
/// added text/time embedding), `conv_in`, the down blocks and the mid block. `UNet2DConditionModel` and
/// `ControlNetModel` both hold one, under the same checkpoint keys, so the two cannot drift apart.
///
///     temb  = time_embedding(time_proj(t)) (+ add_embedding(text_embeds, time_ids))   [B, 4·C0]
///     h     = conv_in(sample)                                                          [B, C0, H, W]
///     down_blocks: h, skips (conv_in's output first)     [B, Cn−1, H/2ⁿ⁻¹, W/2ⁿ⁻¹]
///     mid_block                                          same shape
struct UNetEncoder: Sendable {
    let config: UNet2DConditionConfig
    let dtype: DType
    let backend: any Backend
    let timeProj: Timesteps
    let timeEmbedding: TimestepEmbedding
    /// `add_time_proj` + `add_embedding`, for `addition_embed_type: "text_time"` (SDXL); nil otherwise.
    let addedEmbedding: TextTimeEmbedding?
    let convIn: Conv2d
    let downBlocks: [UNetDownBlock]
    let midBlock: UNetMidBlock2DCrossAttn

    /// The layers under `root` (the model's top scope), for a validated `config`.
    init(_ root: WeightScope, config: UNet2DConditionConfig, dtype: DType, backend: any Backend) {
        self.config = config
        self.dtype = dtype
        self.backend = backend
        let settings = UNetBlockSettings(config)
        let channels = config.blockOutChannels
        let n = config.blockCount

        // Time: [B] → [B, C0] → [B, temb]
        timeProj = Timesteps(channels: channels[0], flipSinToCos: config.flipSinToCos,
                             freqShift: Float(config.freqShift), backend: backend)
        timeEmbedding = TimestepEmbedding(root["time_embedding"], inChannels: channels[0], timeEmbedDim: config.timeEmbedDim)
        // SDXL: [B, P] text embeds ++ [B, n] time ids → [B, temb] (validated: both widths are set)
        addedEmbedding = config.requiresAddedConditions
            ? TextTimeEmbedding(root, timeIdWidth: config.additionTimeEmbedDim!, inputWidth: config.projectionClassEmbeddingsInputDim!,
                                timeEmbedDim: config.timeEmbedDim, flipSinToCos: config.flipSinToCos,
                                freqShift: Float(config.freqShift))
            : nil
        convIn = Conv2d(root["conv_in"], inChannels: config.inChannels, outChannels: channels[0],
                        kernel: config.convInKernel, padding: (config.convInKernel - 1) / 2)
        let layersPerBlock = config.layersPerBlockList
        downBlocks = (0..<n).map { i in
            UNetDownBlock(root["down_blocks"][i], kind: UNetDownBlock.Kind(rawValue: config.downBlockTypes[i])!,
                          inChannels: i == 0 ? channels[0] : channels[i - 1], outChannels: channels[i],
                          numLayers: layersPerBlock[i], attention: config.downBlockAttention(i),
                          addDownsample: i < n - 1, downsamplePadding: config.downsamplePadding, settings: settings)
        }
        midBlock = UNetMidBlock2DCrossAttn(root["mid_block"], channels: channels[n - 1],
                                           attention: config.midBlockAttention, settings: settings)
    }

    /// The down and mid blocks' attention layers, in diffusers' module order within each.
    var downAttentionLayers: [Attention] { downBlocks.flatMap(\.attentionLayers) }
    var midAttentionLayers: [Attention] { midBlock.attentionLayers }

    /// `tensor` on the backend's device: as is when it is there already, else uploaded (a host tensor).
    func onDevice(_ tensor: Tensor) -> Tensor {
        tensor.device === backend.device ? tensor : backend.upload(tensor)
    }

    /// timestep: scalar, [1] or [B] → temb [B, 4·C0] in the compute dtype (t_emb is computed in f32 and
    /// cast, as diffusers does), SDXL's added embedding included.
    func timeEmbedding(_ timestep: Tensor, batch: Int, added: UNetAddedConditions?,
                       observe: ((String, Tensor) -> Void)?) -> Tensor {
        let timesteps = backend.contiguous(onDevice(timestep).reshaped([-1]).expanded(to: [batch]))
        let tEmb = backend.cast(timeProj(timesteps), to: dtype)
        observe?("time_proj", tEmb)
        var temb = timeEmbedding(tEmb)
        observe?("time_embedding", temb)
        // SDXL: emb = emb + aug_emb, aug_emb from [B, P] text embeds and [B, n] time ids → [B, 4·C0]
        if let addedEmbedding, let added {
            let aug = addedEmbedding(textEmbeds: onDevice(added.textEmbeds), timeIds: onDevice(added.timeIds),
                                     dtype: dtype, observe: observe)
            temb = backend.add(temb, aug)
        }
        return temb
    }

    /// Down then mid: h [B, C0, H, W] (conv_in's output, plus the control embedding in a ControlNet) →
    /// the mid block's output [B, Cn−1, H/2ⁿ⁻¹, W/2ⁿ⁻¹] and every skip connection, `h` first.
    func downAndMid(_ h: Tensor, temb: Tensor, context: Tensor,
                    observe: ((String, Tensor) -> Void)?) throws -> (hidden: Tensor, skips: [Tensor]) {
        var h = h
        var skips = [h]
        for (i, block) in downBlocks.enumerated() {
            let out = try block(h, temb: temb, context: context)
            h = out.hidden
            skips += out.skips
            observe?("down_blocks.\(i)", h)
        }
        h = try midBlock(h, temb: temb, context: context)
        observe?("mid_block", h)
        return (h, skips)
    }
}
