namespace ChangeWatch.Core.Reporting;

/// <summary>How well the dates lined up and how much could be seen, over a scene's scored tiles.</summary>
/// <param name="MaxShift">Largest co-registration shift applied, pixels.</param>
/// <param name="MeanShift">Mean co-registration shift length, pixels.</param>
/// <param name="MeanMaskedFraction">Mean masked fraction of the scored tiles (each of its covered part, <see cref="Domain.TileResult.MaskedFraction"/>), 0-1.</param>
/// <param name="NotAssessableFraction">Fraction of scored tiles not assessable, 0-1.</param>
public sealed record QualitySummary(double MaxShift, double MeanShift, double MeanMaskedFraction, double NotAssessableFraction);
