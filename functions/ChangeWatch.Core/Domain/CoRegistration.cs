namespace ChangeWatch.Core.Domain;

/// <summary>
/// Co-registration of a tile pair: the shift of the after tile relative to the before tile estimated by phase
/// correlation (content at before (x, y) appears in after at (x + <see cref="EstimatedShiftX"/>, y +
/// <see cref="EstimatedShiftY"/>)), how sure the estimate was, what was done with it, and the misregistration left.
/// </summary>
/// <param name="EstimatedShiftX">Estimated shift, pixels (columns, positive = after content moved right); 0 when not measured.</param>
/// <param name="EstimatedShiftY">Estimated shift, pixels (rows, positive = after content moved down); 0 when not measured.</param>
/// <param name="Peak">Normalised phase-correlation peak, 0-1: near 1 for a pure translation, low when the dates differ or the content is flat.</param>
/// <param name="Residual">
/// Misregistration left in the compared pair, pixels: after an applied shift, the length of the offset a second phase
/// correlation still finds; when the shift was refused as too large or not needed, the length of the estimated shift;
/// null when not measured or when the peak was too weak to say.
/// </param>
/// <param name="Outcome">Whether the shift was applied, and if not, why.</param>
public sealed record CoRegistration(double EstimatedShiftX, double EstimatedShiftY, double Peak, double? Residual, CoRegistrationOutcome Outcome)
{
    /// <summary>Nothing estimated: compared unshifted.</summary>
    public static CoRegistration NotMeasured { get; } = new(0, 0, 0, null, CoRegistrationOutcome.NotMeasured);
}
