#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseSchedulers

/// A scheduler chosen by name in place of the model's own (`--scheduler`), keeping the model's betas and
/// training settings as diffusers' `OtherScheduler.from_config(pipe.scheduler.config)` does.
public enum SchedulerChoice: String, Sendable, CaseIterable {
    case pndm, ddim, euler
    case eulerAncestral = "euler-a"
    case lms
    case dpmpp2M = "dpmpp-2m"
    case dpmpp2MKarras = "dpmpp-2m-karras"
    /// Latent consistency (LCM-distilled models, LCM-LoRAs): few steps, guidance ≈ 1.
    case lcm

    /// AUTOMATIC1111's samplers that Diffuse has, in its `GET /sdapi/v1/samplers` order: name, its old
    /// `k_…` aliases, and the choice. A1111 (1.9+) names the Karras schedule apart ("DPM++ 2M" with
    /// scheduler "Karras"); the legacy combined name is "DPM++ 2M Karras".
    public static let a1111Samplers: [(name: String, aliases: [String], choice: SchedulerChoice)] = [
        ("Euler a", ["k_euler_a", "k_euler_ancestral"], .eulerAncestral),
        ("Euler", ["k_euler"], .euler),
        ("LMS", ["k_lms"], .lms),
        ("DDIM", [], .ddim),
        ("PLMS", [], .pndm),
        ("DPM++ 2M", ["k_dpmpp_2m"], .dpmpp2M),
        ("LCM", [], .lcm),
    ]

    /// A choice by Diffuse's name (`euler-a`), the name it writes (`samplerName`) or A1111's sampler name
    /// (`a1111Samplers`: `Euler a`, `PLMS`, `k_lms`, …, and `DPM++ 2M Karras`), any case.
    public init?(name: String) {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased()
        if let choice = SchedulerChoice(rawValue: key) ?? Self.allCases.first(where: { $0.samplerName.lowercased() == key })
            ?? Self.a1111Samplers.first(where: { $0.name.lowercased() == key || $0.aliases.contains(key) })?.choice {
            self = choice
        } else {
            return nil
        }
    }

    /// The diffusers class.
    public var className: String {
        switch self {
        case .pndm: "PNDMScheduler"
        case .ddim: "DDIMScheduler"
        case .euler: "EulerDiscreteScheduler"
        case .eulerAncestral: "EulerAncestralDiscreteScheduler"
        case .lms: "LMSDiscreteScheduler"
        case .dpmpp2M, .dpmpp2MKarras: "DPMSolverMultistepScheduler"
        case .lcm: "LCMScheduler"
        }
    }

    /// The sampler name other Stable Diffusion tools (A1111) write in the `parameters` text.
    public var samplerName: String {
        switch self {
        case .pndm: "PNDM"
        case .ddim: "DDIM"
        case .euler: "Euler"
        case .eulerAncestral: "Euler a"
        case .lms: "LMS"
        case .dpmpp2M: "DPM++ 2M"
        case .dpmpp2MKarras: "DPM++ 2M Karras"
        case .lcm: "LCM"
        }
    }

    /// The choice that names the class of `config` (nil for a class not listed here).
    public static func matching(_ config: SchedulerConfig) -> SchedulerChoice? {
        switch config.className {
        case "DPMSolverMultistepScheduler"?: config.useKarrasSigmas ? .dpmpp2MKarras : .dpmpp2M
        case let name?: allCases.first { $0.className == name }
        case nil: nil
        }
    }

    /// `base` converted to this class (`SchedulerConfig.converted(to:)`); for `dpmpp-2m(-karras)` with
    /// `algorithm_type` "dpmsolver++", `solver_order` 2 and Karras sigmas on / off
    /// (`from_config(config, use_karras_sigmas=True)`).
    public func config(from base: SchedulerConfig) -> SchedulerConfig {
        var config = base.className == className ? base : base.converted(to: className)
        if self == .dpmpp2M || self == .dpmpp2MKarras {
            // What the name promises, whatever a DPM-Solver config of the model says.
            config.algorithmType = "dpmsolver++"
            config.solverOrder = 2
            config.useKarrasSigmas = self == .dpmpp2MKarras
        }
        return config
    }

    /// The scheduler for `base` (the model's `scheduler_config.json`).
    public func makeScheduler(from base: SchedulerConfig) throws -> any Scheduler {
        let config = config(from: base)
        return try SchedulerFactory.make(config, className: className)
    }

    /// The scheduler of a run on a model whose `scheduler_config.json` is `base`: `choice` (nil: the
    /// model's own class), with `timestepSpacing` in place of the config's when given (`--timestep-spacing`,
    /// diffusers' `from_config(config, timestep_spacing=…)`).
    public static func makeScheduler(_ choice: SchedulerChoice?, timestepSpacing: String? = nil,
                                     from base: SchedulerConfig) throws -> any Scheduler {
        var config = choice?.config(from: base) ?? base
        if let timestepSpacing { config.timestepSpacing = timestepSpacing }
        return try SchedulerFactory.make(config, className: choice?.className)
    }
}
