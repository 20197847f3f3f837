/// The scheduler settings whose diffusers default depends on the scheduler class.
extension SchedulerConfig {
    /// Classes whose `timestep_spacing` defaults to `"leading"` (PNDM, DDIM, DDPM and their variants,
    /// LCM, TCD); every other scheduler (Euler, Euler a, DPM-Solver++, LMS, Heun, UniPC, …) defaults to
    /// `"linspace"`. Without a class name, `"leading"` (the SD default scheduler's).
    static let leadingSpacingClasses: Set<String> = [
        "PNDMScheduler", "DDIMScheduler", "DDIMInverseScheduler", "DDIMParallelScheduler",
        "DDPMScheduler", "DDPMParallelScheduler", "LCMScheduler", "TCDScheduler",
    ]
    /// Classes whose `set_alpha_to_one` defaults to true (PNDM's default is false).
    static let alphaToOneClasses: Set<String> = [
        "DDIMScheduler", "DDIMInverseScheduler", "DDIMParallelScheduler", "LCMScheduler", "TCDScheduler",
    ]
    /// Classes whose `clip_sample` defaults to true (LCM's and TCD's default is false).
    static let clipSampleClasses: Set<String> = [
        "DDIMScheduler", "DDIMInverseScheduler", "DDIMParallelScheduler", "DDPMScheduler",
        "DDPMParallelScheduler",
    ]
    /// Classes whose betas default to SD's schedule (`beta_start` 0.00085, `beta_end` 0.012,
    /// `scaled_linear`) instead of DDPM's (0.0001, 0.02, `linear`).
    static let stableDiffusionBetaClasses: Set<String> = ["LCMScheduler", "TCDScheduler"]

    public static func defaultBetas(for className: String?) -> (start: Double, end: Double, schedule: String) {
        className.map(stableDiffusionBetaClasses.contains) == true ? (0.00085, 0.012, "scaled_linear") : (0.0001, 0.02, "linear")
    }

    public static func defaultTimestepSpacing(for className: String?) -> String {
        guard let className else { return "leading" }
        return leadingSpacingClasses.contains(className) ? "leading" : "linspace"
    }

    public static func defaultSetAlphaToOne(for className: String?) -> Bool {
        className.map(alphaToOneClasses.contains) ?? false
    }

    public static func defaultClipSample(for className: String?) -> Bool {
        className.map(clipSampleClasses.contains) ?? false
    }

    public static func defaultVarianceType(for className: String?) -> String? {
        className == "DDPMScheduler" || className == "DDPMParallelScheduler" ? "fixed_small" : nil
    }

    /// This config as another scheduler class would read it — diffusers'
    /// `NewScheduler.from_config(old.config)`: values written in the file are kept, class-dependent
    /// defaults are re-resolved for `newClassName`.
    public func converted(to newClassName: String) -> SchedulerConfig {
        var copy = self
        copy.className = newClassName
        func explicit(_ key: CodingKeys) -> Bool { explicitKeys.contains(key.rawValue) }
        if !explicit(.timestepSpacing) { copy.timestepSpacing = Self.defaultTimestepSpacing(for: newClassName) }
        if !explicit(.setAlphaToOne) { copy.setAlphaToOne = Self.defaultSetAlphaToOne(for: newClassName) }
        if !explicit(.clipSample) { copy.clipSample = Self.defaultClipSample(for: newClassName) }
        if !explicit(.varianceType) { copy.varianceType = Self.defaultVarianceType(for: newClassName) }
        let betas = Self.defaultBetas(for: newClassName)
        if !explicit(.betaStart) { copy.betaStart = betas.start }
        if !explicit(.betaEnd) { copy.betaEnd = betas.end }
        if !explicit(.betaSchedule) { copy.betaSchedule = betas.schedule }
        return copy
    }
}
