/// The A1111 request fields Diffuse cannot honour (yet): accepted when they hold a value that changes
/// nothing (A1111's default, or what popular clients such as `webuiapi` send by default, which A1111 also
/// treats as "off"), else answered 422 naming the field and what to send instead.
extension A1111Request {
    /// Field → the values that leave it off. `null` is always accepted.
    static let neutralValues: [String: [JSONValue]] = [
        "styles": [.array([])],
        "subseed_strength": [0],
        "seed_resize_from_h": [-1, 0], "seed_resize_from_w": [-1, 0],
        "restore_faces": [false], "tiling": [false],
        "enable_hr": [false],
        "s_min_uncond": [0], "s_churn": [0], "s_tmax": [0], "s_tmin": [0], "s_noise": [1],
        "script_name": [""], "script_args": [.array([])], "alwayson_scripts": [.object([:])],
        "refiner_checkpoint": [""], "refiner_switch_at": [0],
        "save_images": [false], "do_not_save_samples": [false, true], "do_not_save_grid": [false, true],
        "initial_noise_multiplier": [1],
        "include_init_images": [false],
        "firstpass_image": [""],
        "disable_extra_networks": [false],
    ]

    /// Throws 422 for the first field of `raw` that asks for something Diffuse does not do.
    /// `hr_*`, `firstphase_*` (hires fix: needs `enable_hr`), `subseed` (needs `subseed_strength`),
    /// the inpainting fields (need `mask`), `image_cfg_scale` (InstructPix2Pix models only) and
    /// `denoising_strength` of txt2img (hires fix) are ignored, as A1111 ignores them then.
    static func checkUnsupported(_ raw: [String: JSONValue], sampler: A1111Sampler) throws {
        for (field, neutral) in neutralValues.sorted(by: { $0.key < $1.key }) {
            guard let value = raw[field], value != .null, !neutral.contains(value) else { continue }
            if value.isEmpty, neutral.contains(where: \.isEmpty) { continue }
            throw ServerError.field(field, "\(value.jsonText) is not supported by Diffuse; leave it out or send \(neutral[0].jsonText)")
        }
        // eta: stochastic samplers only. A1111's defaults: 0 for DDIM (eta_ddim), 1 for ancestral (eta_ancestral).
        if let eta = raw["eta"], eta != .null {
            switch sampler.choice {
            case .ddim where eta != 0:
                throw ServerError.field("eta", "\(eta.jsonText) is not supported with DDIM; leave it out or send 0")
            case .eulerAncestral where eta != 1:
                throw ServerError.field("eta", "\(eta.jsonText) is not supported with Euler a; leave it out or send 1")
            default: break
            }
        }
    }
}
