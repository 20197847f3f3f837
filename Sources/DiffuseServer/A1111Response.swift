import DiffusePipeline
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A1111's `TextToImageResponse` / `ImageToImageResponse`: `images` (base64 PNGs, each with its
/// `parameters` chunk), `parameters` (the request as received, the drawn seed filled in) and `info` (a JSON
/// string as `Processed.js()` in A1111's modules/processing.py writes it).
enum A1111Response {
    static func make(_ output: GenerationOutput, plan: GenerationPlan, request: A1111Request,
                     raw: [String: JSONValue]) -> JSONValue {
        var parameters = raw
        let filled: [String: JSONValue] = [
            "prompt": .string(request.prompt), "negative_prompt": .string(request.negative_prompt),
            "seed": .number(Double(plan.seed)), "steps": .number(Double(request.steps)),
            "cfg_scale": .number(request.cfg_scale), "width": .number(Double(output.width)),
            "height": .number(Double(output.height)), "batch_size": .number(Double(request.batch_size)),
            "n_iter": .number(Double(request.n_iter)), "sampler_name": .string(output.sampler),
        ]
        for (key, value) in filled { parameters[key] = value }
        if plan.config.initImage != nil {
            parameters["denoising_strength"] = .number(plan.config.strength)
            parameters["init_images"] = .null   // not echoed back: it can be megabytes
        }
        let seeds = output.seeds.map { JSONValue.number(Double($0)) }
        let info: JSONValue = .object([
            "prompt": .string(request.prompt),
            "all_prompts": .array(output.seeds.map { _ in .string(request.prompt) }),
            "negative_prompt": .string(request.negative_prompt),
            "all_negative_prompts": .array(output.seeds.map { _ in .string(request.negative_prompt) }),
            "seed": .number(Double(plan.seed)), "all_seeds": .array(seeds),
            "subseed": -1, "all_subseeds": .array(output.seeds.map { _ in -1 }), "subseed_strength": 0,
            "width": .number(Double(output.width)), "height": .number(Double(output.height)),
            "sampler_name": .string(output.sampler), "cfg_scale": .number(request.cfg_scale),
            "steps": .number(Double(request.steps)), "batch_size": .number(Double(request.batch_size)),
            "restore_faces": false, "face_restoration_model": .null,
            "sd_model_name": .string(output.model), "sd_model_hash": output.modelHash.map(JSONValue.string) ?? .null, "sd_vae_name": .null, "sd_vae_hash": .null,
            "seed_resize_from_w": -1, "seed_resize_from_h": -1,
            "denoising_strength": plan.config.initImage == nil ? .null : .number(plan.config.strength),
            "extra_generation_params": .object([:]), "index_of_first_image": 0,
            "infotexts": .array(output.infotexts.map(JSONValue.string)),
            "styles": .array([]), "job_timestamp": .string(Self.timestamp()),
            "clip_skip": .number(Double(plan.config.clipSkip + 1)), "is_using_inpainting_conditioning": false,
            "version": .string(DiffuseVersion.tag),
        ])
        return .object([
            "images": .array(request.send_images ? output.images.map { .string(Base64.encode($0)) } : []),
            "parameters": .object(parameters),
            "info": .string(info.jsonText),
        ])
    }

    /// A1111's `job_timestamp` form: yyyyMMddHHmmss (UTC).
    static func timestamp() -> String {
        String(Date().ISO8601Format().filter(\.isNumber).prefix(14))
    }
}
