#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffusePipeline

/// A1111 sampler and scheduler names ↔ Diffuse's `SchedulerChoice` (Sources/DiffusePipeline/Pipeline/SchedulerChoice.swift).
/// A1111 (1.9+) names the sampler and the sigma schedule apart (`sampler_name` "DPM++ 2M", `scheduler`
/// "Karras"); older clients send the combined name ("DPM++ 2M Karras") as `sampler_name` or `sampler_index`.
struct A1111Sampler: Sendable, Equatable {
    let choice: SchedulerChoice

    /// The samplers of `GET /sdapi/v1/samplers`: A1111 name, aliases, and the choice.
    static var all: [(name: String, aliases: [String], choice: SchedulerChoice)] { SchedulerChoice.a1111Samplers }

    /// The schedulers of `GET /sdapi/v1/schedulers`: name and label.
    static let schedulers: [(name: String, label: String)] = [("automatic", "Automatic"), ("karras", "Karras")]

    /// A1111's default when neither `sampler_name` nor `sampler_index` is given (`sampler_index` = "Euler").
    static let defaultName = "Euler"

    /// From the request's `sampler_name` (else `sampler_index`) and `scheduler`; unknown names → 422 listing the known ones.
    init(name: String?, scheduler: String?, field: String = "sampler_name") throws {
        var name = (name ?? Self.defaultName).trimmingCharacters(in: .whitespaces)
        var karras = false
        if name.lowercased().hasSuffix(" karras") {   // legacy combined name
            name = String(name.dropLast(" karras".count))
            karras = true
        }
        switch scheduler?.lowercased() {
        case nil, "", "automatic": break
        case "karras": karras = true
        case let other?:
            throw ServerError.field("scheduler", "unknown scheduler \"\(other)\"; use one of: Automatic, Karras")
        }
        let lower = name.lowercased()
        guard let entry = Self.all.first(where: { $0.name.lowercased() == lower || $0.aliases.contains(lower) }) else {
            throw ServerError.field(field, "unknown sampler \"\(name)\"; use one of: \(Self.all.map(\.name).joined(separator: ", ")) (GET /sdapi/v1/samplers)")
        }
        if karras {
            guard entry.choice == .dpmpp2M else {
                throw ServerError.field("scheduler", "Karras sigmas are available with DPM++ 2M only; use scheduler Automatic with \(entry.name)")
            }
            choice = .dpmpp2MKarras
        } else {
            choice = entry.choice
        }
    }

    /// `GET /sdapi/v1/samplers`: A1111's `SamplerItem` list (name, aliases, options).
    static var list: JSONValue {
        .array(all.map { entry in
            var options: [String: JSONValue] = [:]
            if entry.choice == .dpmpp2M { options["scheduler"] = "karras" }
            return .object(["name": .string(entry.name), "aliases": .array(entry.aliases.map(JSONValue.string)),
                            "options": .object(options)])
        })
    }

    /// `GET /sdapi/v1/schedulers`: A1111's `SchedulerItem` list.
    static var schedulerList: JSONValue {
        .array(schedulers.map { s in
            .object(["name": .string(s.name), "label": .string(s.label), "aliases": .null,
                     "default_rho": s.name == "karras" ? 7.0 : -1.0, "need_inner_model": false])
        })
    }
}
