import DiffuseCore

/// What a ControlNet adds to a UNet call (diffusers' `down_block_additional_residuals` and
/// `mid_block_additional_residual`): one residual per skip connection of the UNet's down path, in order
/// (conv_in's output first), and one for the mid block's output. Already multiplied by the conditioning
/// scale.
public struct ControlNetResiduals: @unchecked Sendable {
    /// [B, C_i, H_i, W_i], one per skip connection.
    public var down: [Tensor]
    /// [B, Cn−1, H/2ⁿ⁻¹, W/2ⁿ⁻¹].
    public var mid: Tensor

    public init(down: [Tensor], mid: Tensor) {
        self.down = down
        self.mid = mid
    }

    /// Several ControlNets at once (diffusers' `MultiControlNetModel`): the residuals summed, `self` first.
    public func adding(_ other: ControlNetResiduals, backend: any Backend) throws -> ControlNetResiduals {
        guard other.down.count == down.count else {
            throw UNetInputError(argument: "control", message:
                "two ControlNets give \(down.count) and \(other.down.count) residuals; they must be made for the same UNet")
        }
        return ControlNetResiduals(down: zip(down, other.down).map { backend.add($0, $1) }, mid: backend.add(mid, other.mid))
    }

    /// The residuals fit the UNet's skip connections and mid output (shape for shape).
    func check(skips: [Tensor], mid hidden: Tensor) throws {
        let fits = down.count == skips.count && zip(down, skips).allSatisfy { $0.shape == $1.shape } && mid.shape == hidden.shape
        guard fits else {
            throw UNetInputError(argument: "control", message:
                "the ControlNet's residuals \(down.map(\.shape)) + mid \(mid.shape) do not fit this UNet's skip connections "
                + "\(skips.map(\.shape)) + mid \(hidden.shape); use a ControlNet made for this model family (SD 1.x, 2.x or SDXL)")
        }
    }
}
