using System.Diagnostics;

namespace ChangeWatch.Detection;

/// <summary>
/// Accumulates the wall time each <see cref="ScoringStep"/> took, summed over tiles and threads (thread-safe), and how
/// many tiles reached each step. For benchmarks and diagnostics: a scorer given none records nothing.
/// </summary>
public sealed class ScoringStepTimes
{
    private readonly long[] _ticks = new long[Enum.GetValues<ScoringStep>().Length];
    private readonly long[] _tiles = new long[Enum.GetValues<ScoringStep>().Length];
    private long _pointsEvaluated;
    private long _points;

    /// <summary>Seconds spent in <paramref name="step"/>, summed over every thread.</summary>
    public double Seconds(ScoringStep step) => Interlocked.Read(ref _ticks[(int)step]) / (double)Stopwatch.Frequency;

    /// <summary>Number of tiles that went through <paramref name="step"/>.</summary>
    public long Tiles(ScoringStep step) => Interlocked.Read(ref _tiles[(int)step]);

    /// <summary>Adds the time since <paramref name="startTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/> value) to <paramref name="step"/> and returns the current timestamp.</summary>
    public long Record(ScoringStep step, long startTimestamp)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Add(ref _ticks[(int)step], now - startTimestamp);
        Interlocked.Increment(ref _tiles[(int)step]);
        return now;
    }

    /// <summary>Grid points the ensemble was evaluated at, summed over tiles.</summary>
    public long PointsEvaluated => Interlocked.Read(ref _pointsEvaluated);

    /// <summary>Grid points of the tiles that reached the ensemble step, summed over tiles.</summary>
    public long Points => Interlocked.Read(ref _points);

    /// <summary>Adds a tile's grid points and how many of them the ensemble was evaluated at (the rest interpolated by the gate).</summary>
    public void CountPoints(long evaluated, long total)
    {
        Interlocked.Add(ref _pointsEvaluated, evaluated);
        Interlocked.Add(ref _points, total);
    }

    /// <summary>Forgets everything recorded so far.</summary>
    public void Clear()
    {
        Array.Clear(_ticks);
        Array.Clear(_tiles);
        Interlocked.Exchange(ref _pointsEvaluated, 0);
        Interlocked.Exchange(ref _points, 0);
    }
}
