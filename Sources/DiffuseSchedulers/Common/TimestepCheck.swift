/// The check every timestep schedule passes before a scheduler uses it (`setTimesteps`): each timestep is
/// a training timestep (0 … `num_train_timesteps` − 1, the indices of `alphas_cumprod`) and the schedule
/// strictly decreases. Leading spacing breaks both at high step counts — with `steps_offset` 1 and 1000
/// steps over 1000 training steps DDIM and PNDM would read `alphas_cumprod[1000]`; DPM-Solver's leading
/// ratio `last // (steps + 1)` becomes 0 and every timestep the same — where diffusers fails with an
/// `IndexError` or divides by zero. The error names the largest step count that works.
enum TimestepCheck {
    /// Throws `SchedulerError.invalidSchedule` unless `schedule(steps)` is valid; `schedule` must be the
    /// scheduler's own pure timestep computation (it is re-run for smaller counts to find the largest valid).
    static func require(_ scheduler: String, steps: Int, numTrainTimesteps t: Int,
                        schedule: (Int) throws -> [Double]) throws {
        let timesteps = try schedule(steps)
        guard let problem = Self.problem(timesteps, numTrainTimesteps: t) else { return }
        var largest: Int?
        for n in stride(from: steps - 1, through: 1, by: -1) where Self.problem(try schedule(n), numTrainTimesteps: t) == nil {
            largest = n
            break
        }
        throw SchedulerError.invalidSchedule(scheduler: scheduler, steps: steps, problem: problem, largestValidSteps: largest)
    }

    /// What is wrong with `timesteps`, or nil.
    static func problem(_ timesteps: [Double], numTrainTimesteps t: Int) -> String? {
        if let bad = timesteps.first(where: { !($0 >= 0 && $0 <= Double(t - 1)) }) {
            return "timestep \(bad) is outside the training timesteps 0…\(t - 1)"
        }
        if let i = timesteps.indices.dropFirst().first(where: { timesteps[$0] >= timesteps[$0 - 1] }) {
            return "timestep \(timesteps[i]) repeats (leading spacing runs out of distinct timesteps)"
        }
        return nil
    }
}
