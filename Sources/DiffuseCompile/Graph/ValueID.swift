/// Where the bytes of a captured graph's tensor come from.
public enum ValueID: Hashable, Sendable {
    /// Graph input i (for the UNet: 0 sample, 1 timesteps, 2 context).
    case input(Int)
    /// The output of node i.
    case node(Int)
    /// Constant storage i of the graph (a weight, captured by reference).
    case constant(Int)
}
