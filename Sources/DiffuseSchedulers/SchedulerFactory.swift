/// Builds the scheduler named by a config's `_class_name` (or another class, as diffusers'
/// `OtherScheduler.from_config(config)` does via `SchedulerConfig.converted(to:)`).
public enum SchedulerFactory {
    /// The diffusers classes implemented here.
    public static let supportedClassNames = [
        PNDMScheduler.diffusersClassName, DDIMScheduler.diffusersClassName,
        EulerDiscreteScheduler.diffusersClassName, EulerAncestralDiscreteScheduler.diffusersClassName,
        DPMSolverMultistepScheduler.diffusersClassName, LMSDiscreteScheduler.diffusersClassName,
        LCMScheduler.diffusersClassName,
    ]

    /// The scheduler for `className` (default: the config's own `_class_name`), with the class-dependent
    /// defaults re-resolved for it. Throws `SchedulerError.unsupportedClass` or `.unsupportedConfigValue`.
    public static func make(_ config: SchedulerConfig, className: String? = nil) throws -> any Scheduler {
        guard let name = className ?? config.className else {
            throw SchedulerError.unsupportedClass("(none: the config has no _class_name)")
        }
        let resolved = name == config.className ? config : config.converted(to: name)
        switch name {
        case PNDMScheduler.diffusersClassName: return try PNDMScheduler(config: resolved)
        case DDIMScheduler.diffusersClassName: return try DDIMScheduler(config: resolved)
        case EulerDiscreteScheduler.diffusersClassName: return try EulerDiscreteScheduler(config: resolved)
        case EulerAncestralDiscreteScheduler.diffusersClassName: return try EulerAncestralDiscreteScheduler(config: resolved)
        case DPMSolverMultistepScheduler.diffusersClassName: return try DPMSolverMultistepScheduler(config: resolved)
        case LMSDiscreteScheduler.diffusersClassName: return try LMSDiscreteScheduler(config: resolved)
        case LCMScheduler.diffusersClassName: return try LCMScheduler(config: resolved)
        default: throw SchedulerError.unsupportedClass(name)
        }
    }
}
