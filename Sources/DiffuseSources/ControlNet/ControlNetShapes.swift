import DiffuseModels

/// The tensor shapes of a single-file ControlNet, read by diffusers key in either layout: what its config
/// is recognised from when none is given (`recognise`).
///
/// - The conditioning embedding (`conditioningEmbedding`): `conv_in` is [w₀, channels, 3, 3] and each
///   stride-2 block (`blocks.{2i+1}`, `input_hint_block.{4i+4}`) [wᵢ₊₁, wᵢ, 3, 3].
/// - The family: SDXL when the added embedding is there (`add_embedding.linear_1` / `label_emb.0.0`), else the
///   first cross-attention's context width (`down_blocks.0…attn2.to_k`: [C₀, C]): 768 → SD 1.5, 1024 → SD 2.1.
/// - Then every shape the standard config fixes must agree (`architectureProblem`): `conv_in`, each level's
///   width, attention or not, `proj_in` linear or 1×1 conv, the transformer depths (SDXL: 1, 2, 10 and 10 in
///   the mid block), the context widths, no extra level, SDXL's added-embedding input (2816). A file that
///   differs (SDXL's -mid / -small ControlNets, other bases) is not guessed at: it needs its config.
struct ControlNetShapes: Sendable {
    let layout: ControlNetFileLayout
    /// Stored name → shape.
    let shapes: [String: [Int]]
    /// The file, for messages.
    let path: String

    static let advice = "pass the ControlNet's config with --controlnet-config (its diffusers config.json, or the folder holding it — e.g. from the hub repository it came from)"

    /// The shapes by diffusers key with `config`'s mapping: the shape of the tensor a key loads from, nil when absent.
    func shapes(for config: ControlNetConfig) -> (String) -> [Int]? {
        let shapes = self.shapes
        guard let mapping = ControlNetSingleFile.mapping(layout: layout, config: config, names: Set(shapes.keys)) else {
            return { shapes[$0] }
        }
        return { key in mapping.storedTensor(for: key).flatMap { shapes[$0.key] } }
    }

    func unrecognised(_ message: String) -> SingleFileError {
        SingleFileError(.unrecognised, path: path, message: message + "; " + Self.advice)
    }

    /// The control image's channels and the conditioning embedding's widths, from its convolutions.
    func conditioningEmbedding() throws -> (channels: Int, widths: [Int]) {
        let convIn: [Int]?
        var blocks: [[Int]] = []
        switch layout {
        case .diffusers:
            convIn = shapes["controlnet_cond_embedding.conv_in.weight"]
            while let block = shapes["controlnet_cond_embedding.blocks.\(blocks.count).weight"] { blocks.append(block) }
        case .original(let prefix):
            // The Sequential's convs: 0 (conv_in), 2, 4, … (the blocks), the last (conv_out); SiLUs between.
            let head = prefix + "input_hint_block."
            let modules = Set(shapes.keys.compactMap { name -> Int? in
                guard name.hasPrefix(head), name.hasSuffix(".weight") else { return nil }
                return Int(name.dropFirst(head.count).dropLast(".weight".count))
            }).sorted()
            let inner = Array(modules.dropFirst().dropLast())
            guard modules.first == 0, modules.count >= 2, inner == inner.indices.map({ 2 * $0 + 2 }) else {
                throw unrecognised("input_hint_block has convolutions at \(modules), not conv_in at 0, blocks at 2, 4, … and conv_out last: not a ControlNet conditioning embedding Diffuse knows")
            }
            convIn = shapes[head + "0.weight"]
            blocks = inner.compactMap { shapes[head + "\($0).weight"] }
        }
        guard let convIn, convIn.count == 4, blocks.count % 2 == 0, blocks.allSatisfy({ $0.count == 4 }) else {
            throw unrecognised("the conditioning embedding's convolutions (\(convIn.map { "\($0)" } ?? "no conv_in"), \(blocks.count) blocks) are not 3×3 convs in pairs")
        }
        let widths = [convIn[0]] + stride(from: 1, to: blocks.count, by: 2).map { blocks[$0][0] }
        return (convIn[1], widths)
    }

    /// The standard ControlNet these shapes are and its config, or an `unrecognised` error saying what
    /// differs and to pass a config.
    func recognise() throws -> (model: StandardControlNet, config: ControlNetConfig) {
        let (channels, widths) = try conditioningEmbedding()
        // Probe with SD 1.5's layout (two layers per level, as every standard family has) to pick the family.
        let shape = shapes(for: StandardControlNet.sd15.config(conditioningChannels: channels, widths: widths))
        let model: StandardControlNet
        if shape("add_embedding.linear_1.weight") != nil {
            model = .sdxl
        } else {
            let key = "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight"
            switch shape(key) {
            case [320, 768]?: model = .sd15
            case [320, 1024]?: model = .sd21
            case let found?:
                throw unrecognised("the first cross-attention (\(key)) is \(found), not SD 1.x's [320, 768] (CLIP) nor SD 2.x's [320, 1024] (OpenCLIP), and there is no SDXL added embedding: not a standard SD 1.5, 2.1 or SDXL ControlNet")
            case nil:
                throw unrecognised("no cross-attention at the first level (\(key)) and no SDXL added embedding: not a standard SD 1.5, 2.1 or SDXL ControlNet")
            }
        }
        let config = model.config(conditioningChannels: channels, widths: widths,
                                  source: "\(path) (recognised as a standard \(model.displayName), the config of \(model.reference))")
        if let problem = architectureProblem(config) {
            throw unrecognised("looks like an \(model.displayName) but \(problem), unlike the standard one (\(model.reference))")
        }
        return (model, config)
    }

    /// The first shape that differs from what `config` builds, in words; nil when all agree.
    func architectureProblem(_ config: ControlNetConfig) -> String? {
        let u = config.unet
        let shape = shapes(for: config)
        func depth(_ attention: String) -> Int {
            var k = 0
            while shape("\(attention).transformer_blocks.\(k).attn1.to_q.weight") != nil { k += 1 }
            return k
        }
        let c0 = u.blockOutChannels[0]
        let convIn = [c0, u.inChannels, u.convInKernel, u.convInKernel]
        if let found = shape("conv_in.weight"), found != convIn { return "conv_in is \(found) (expected \(convIn))" }
        for i in 0..<u.blockCount {
            let block = "down_blocks.\(i)"
            guard let resnet = shape("\(block).resnets.0.conv1.weight") else { return "level \(i) has no resnet (\(block).resnets.0)" }
            if resnet[0] != u.blockOutChannels[i] { return "level \(i) is \(resnet[0]) wide (expected \(u.blockOutChannels[i]))" }
            let attention = u.downBlockAttention(i)
            let proj = shape("\(block).attentions.0.proj_in.weight")
            guard u.downBlockTypes[i].hasPrefix("CrossAttn") else {
                if proj != nil { return "level \(i) has attention (expected none)" }
                continue
            }
            guard let proj else { return "level \(i) has no attention (expected \(u.downBlockTypes[i]))" }
            if proj.count != (u.useLinearProjection ? 2 : 4) {
                return "level \(i)'s proj_in is a \(proj.count == 2 ? "linear layer" : "1×1 conv") (expected \(u.useLinearProjection ? "linear" : "1×1 conv") projections)"
            }
            let d = depth("\(block).attentions.0")
            if d != attention.transformerLayers.first { return "level \(i) has \(d) transformer blocks per attention (expected \(attention.transformerLayers.first ?? 0))" }
            if let k = shape("\(block).attentions.0.transformer_blocks.0.attn2.to_k.weight"), k.last != attention.crossAttentionDim {
                return "level \(i)'s cross-attention context is \(k.last ?? 0) wide (expected \(attention.crossAttentionDim))"
            }
        }
        let mid = depth("mid_block.attentions.0")
        if mid != u.midBlockAttention.transformerLayers.first { return "the mid block has \(mid) transformer blocks (expected \(u.midBlockAttention.transformerLayers.first ?? 0))" }
        if hasLevel(after: config) { return "it has more than \(u.blockCount) resolution levels" }
        if let inputs = u.projectionClassEmbeddingsInputDim {
            let expected = [u.timeEmbedDim, inputs]
            if let found = shape("add_embedding.linear_1.weight"), found != expected {
                return "the added embedding is \(found) (expected \(expected))"
            }
        }
        return nil
    }

    /// Whether the file has a down block beyond `config`'s last.
    func hasLevel(after config: ControlNetConfig) -> Bool {
        let head: String
        switch layout {
        case .diffusers:
            head = "down_blocks.\(config.unet.blockCount)."
        case .original(let prefix):
            let unet = OriginalUNetMapping(config: config.unet, prefix: prefix)
            head = prefix + "input_blocks.\(unet.downStart.last! + unet.downLayers.last!)."
        }
        return shapes.keys.contains { $0.hasPrefix(head) }
    }
}
