import DiffuseCore
import DiffuseNN

/// The attention kernel as far as memory goes: how many attention scores one call holds at its peak.
/// Vanilla and math hold batch·heads·queries·keys scores and their softmax (f32) at once, sliced
/// `slices` heads' worth, memory-efficient about a MiB per chunk, flash a few hundred KiB (*measured*:
/// docs/benchmarks.md, "flash extra memory").
public struct MemoryAttention: Sendable, Equatable, CustomStringConvertible {
    public var choice: AttentionChoice
    /// `sliced`: score matrices of one (batch item, head) held at once (`SlicedAttention.sliceSize`).
    public var slices: Int

    public init(_ choice: AttentionChoice, slices: Int = 1) {
        self.choice = choice
        self.slices = max(1, slices)
    }

    /// From a processor's name (`AttentionProcessor.name`: `vanilla`, `sliced(k)`, `sdpa`, or
    /// `sdpa(k1,k2…)` for a processor built with another kernel priority, as `--attention math` builds it):
    /// for SDPA the kernel that runs first. nil (not known yet) counts as flash.
    public init(processorName: String?) {
        switch processorName {
        case "vanilla"?: self.init(.vanilla)
        case let name? where name.hasPrefix("sliced("):
            self.init(.sliced, slices: Int(name.dropFirst("sliced(".count).dropLast()) ?? 1)
        default:
            var first = SDPDispatch.defaultPriority.first
            if let name = processorName, name.hasPrefix("sdpa("), let head = name.dropFirst("sdpa(".count).split(separator: ",").first {
                first = SDPBackend(userName: String(head.hasSuffix(")") ? head.dropLast() : head))
            }
            switch first {
            case .math?: self.init(.math)
            case .memoryEfficient?: self.init(.memoryEfficient)
            default: self.init(.flash)
            }
        }
    }

    /// Bytes of scores one attention call holds at its peak (scores + softmax, f32).
    public func scoreBytes(batch: Int, heads: Int, queries: Int, keys: Int) -> Int {
        let full = 2 * 4 * batch * heads * queries * keys
        switch choice {
        case .vanilla, .math: return full
        case .sliced: return 2 * 4 * min(slices, batch * heads) * queries * keys
        case .memoryEfficient: return min(full, 2 << 20)
        case .flash, .auto: return min(full, 512 << 10)
        }
    }

    /// Whether the scores of every head are held at once (the choice flash would beat by the most).
    public var materialisesScores: Bool { choice == .vanilla || choice == .math }

    /// "vanilla attention", "sliced attention (2 slices)".
    public var description: String {
        "\(choice) attention" + (choice == .sliced && slices > 1 ? " (\(slices) slices)" : "")
    }
}
