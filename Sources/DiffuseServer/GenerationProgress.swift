#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseCore

/// What `GET /sdapi/v1/progress` reports: the running job's step out of all its steps (every iteration),
/// when it began, and the latest preview (PNG). Written by the generation thread, read by requests.
final class ProgressBoard: @unchecked Sendable {
    struct Snapshot: Sendable {
        var jobID: Int? = nil
        var step = 0
        var totalSteps = 0
        var started: Date? = nil
        var preview: [UInt8]? = nil
        var queued = 0
    }

    private let lock = Lock()
    private var state = Snapshot()

    var snapshot: Snapshot { lock.withLock { state } }

    func begin(job: Int, totalSteps: Int) {
        lock.withLock { state = Snapshot(jobID: job, step: 0, totalSteps: totalSteps, started: Date(), queued: state.queued) }
    }

    func advance(to step: Int, preview: [UInt8]? = nil) {
        lock.withLock {
            state.step = step
            if let preview { state.preview = preview }
        }
    }

    func end() { lock.withLock { state = Snapshot(queued: state.queued) } }

    func setQueued(_ count: Int) { lock.withLock { state.queued = count } }

    /// A1111's `ProgressResponse`: progress 0…1, eta_relative (seconds left), state, current_image.
    func json(includePreview: Bool) -> JSONValue {
        let s = snapshot
        let progress = s.totalSteps > 0 ? Double(s.step) / Double(s.totalSteps) : 0
        var eta = 0.0
        if let started = s.started, s.step > 0 {
            let elapsed = Date().timeIntervalSince(started)
            eta = elapsed / Double(s.step) * Double(s.totalSteps - s.step)
        }
        let state: JSONValue = .object([
            "skipped": false, "interrupted": false, "stopping_generation": false,
            "job": .string(s.jobID.map { "task(\($0))" } ?? ""),
            "job_count": .number(Double((s.jobID == nil ? 0 : 1) + s.queued)),
            "job_timestamp": .string(s.started.map { String(Int($0.timeIntervalSince1970)) } ?? "0"),
            "job_no": 0,
            "sampling_step": .number(Double(s.step)), "sampling_steps": .number(Double(s.totalSteps)),
        ])
        let preview: JSONValue = includePreview ? (s.preview.map { .string(Base64.encode($0)) } ?? .null) : .null
        return .object(["progress": .number(progress), "eta_relative": .number(eta), "state": state,
                        "current_image": preview, "textinfo": .null, "current_task": .null])
    }
}
