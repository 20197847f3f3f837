import DiffuseCore
import DiffuseModels
import DiffusePipeline

extension BenchModels {
    /// The prompt stage's text-encoder work on ids [B, 77], as the pipeline runs it. SD 1.x / 2.x: the
    /// text encoder's last hidden state [B, 77, D] (`encodePrompt`), no pooled output. SDXL
    /// (`SDXLPromptEncoder.encode`): both encoders' `hidden_states[-2]` concatenated, [B, 77, 768 + 1280],
    /// and text_encoder_2's pooled `text_embeds` [B, 1280]. Resident weights are not released here.
    public func encodePrompt(_ ids: Tensor) throws -> (hidden: Tensor, pooled: Tensor?) {
        guard let textEncoder else { throw BenchError("the text encoder was not built for this component") }
        guard let textEncoder2 else { return (try textEncoder.encodePrompt(ids), nil) }
        let out = try SDXLPromptEncoder.encode(ids: [ids, ids], models: [textEncoder, textEncoder2], backend: backend)
        return (out.hidden, out.pooled)
    }
}
