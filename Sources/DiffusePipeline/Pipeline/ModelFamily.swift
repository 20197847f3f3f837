import DiffuseModels
import DiffuseSources

/// Which family of Stable Diffusion a model folder holds, read from its components (as diffusers'
/// `model_index.json` class and the UNet's `addition_embed_type` say): it decides the prompt stage.
public enum ModelFamily: Sendable, Equatable, CustomStringConvertible {
    /// SD 1.x / 2.x (and SD-Turbo, an SD 2.1 model): one CLIP text encoder, a plain cross-attention UNet.
    case stableDiffusion
    /// SDXL (base, SDXL-Turbo, fine-tunes): two text encoders, a `text_time` UNet taking the pooled text
    /// and the time ids of this layout.
    case stableDiffusionXL(SDXLTimeIds)

    /// Checks the components fit together (before any weight is read): an SDXL UNet needs
    /// `text_encoder_2` with a projection, a context as wide as both encoders together, and an
    /// `add_embedding` input that is the pooled width plus 5 or 6 time ids.
    public init(folder: ModelFolder) throws {
        let unet = folder.unet
        guard unet.requiresAddedConditions else {
            if folder.textEncoder2 != nil {
                throw PipelineError(.unsupportedModel, "\(folder.path): the model has a text_encoder_2, but its UNet takes no added conditions (addition_embed_type \"text_time\"); an SDXL folder needs an SDXL UNet, an SD 1.x / 2.x folder has no text_encoder_2")
            }
            self = .stableDiffusion
            return
        }
        guard let encoder2 = folder.textEncoder2 else {
            throw PipelineError(.unsupportedModel, "\(folder.path): the UNet is an SDXL UNet (addition_embed_type \"text_time\"), which needs text_encoder_2 and tokenizer_2; the folder has none")
        }
        guard (encoder2.architectures ?? []).contains("CLIPTextModelWithProjection") else {
            throw PipelineError(.unsupportedModel, "\(folder.path): text_encoder_2 must be a CLIPTextModelWithProjection (its config's architectures); SDXL takes the pooled text embeddings from its text_projection")
        }
        let widths = folder.textEncoders.map(\.hiddenSize), context = widths.reduce(0, +)
        if let dim = unet.crossAttentionDims.first(where: { $0 != context }) {
            throw PipelineError(.unsupportedModel, "\(folder.path): the UNet's cross_attention_dim is \(dim), but the text encoders give \(widths.map(String.init).joined(separator: " + ")) = \(context) channels")
        }
        let pooled = encoder2.projectionDim ?? 512                   // transformers' default projection_dim
        self = .stableDiffusionXL(try SDXLTimeIds.layout(timeIdsCount: unet.addedTimeIdsCount(textEmbedsWidth: pooled),
                                                          declared: folder.modelIndex.options["requires_aesthetics_score"]))
    }

    public var description: String {
        switch self {
        case .stableDiffusion: "Stable Diffusion 1.x / 2.x"
        case .stableDiffusionXL(let ids): ids.requiresAestheticsScore ? "SDXL (refiner layout)" : "SDXL"
        }
    }
}
