using System.Globalization;

namespace ChangeWatch.Core.Domain;

/// <summary>
/// How custody events are keyed within a scene: pipeline steps once each (the step name), so a redelivered message
/// records nothing new; <c>reviewed</c> once per review (the step and the time in ticks), so every verdict stays in
/// the chain.
/// </summary>
public static class CustodyKeys
{
    /// <summary>The review step, which may repeat.</summary>
    public const string Reviewed = "reviewed";

    /// <summary>The key of <paramref name="custodyEvent"/> within its scene.</summary>
    public static string Key(CustodyEvent custodyEvent)
    {
        ArgumentNullException.ThrowIfNull(custodyEvent);
        return custodyEvent.Step == Reviewed
            ? string.Create(CultureInfo.InvariantCulture, $"{Reviewed}-{custodyEvent.At.UtcTicks:D19}")
            : custodyEvent.Step;
    }
}
