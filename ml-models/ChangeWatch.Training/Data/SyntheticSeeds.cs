namespace ChangeWatch.Training.Data;

/// <summary>
/// Seed families of the synthetic sets. Every example is drawn from a hash of (family seed, index, salt), so
/// families never share a pair. Training: tile model 1 (validation 1001, its card's test 2001), type model 11 (its
/// card's test 2011), pixel model 31 (<c>--synthetic N</c>) and 32 (<c>--nuisance N</c>). Held out from all training: the eval verb's synthetic test set (5001, 5002, 6003, 5004) and the
/// validation set used to choose nuisance thresholds (4001-4004). The object counter's parameters were tuned by looking
/// at count family 5003 (and 90 000-90 029), so the eval measures counts on 6003, which was never looked at before.
/// The learned vehicle counts (objects-v1, objects-v2) are trained on families 9601-9603 and were compared with the rules on 5003 / 4004
/// and the development families 7003 / 7004 (<c>CounterTraining</c>).
/// </summary>
internal static class SyntheticSeeds
{
    public const ulong EvalScenes = 5001;
    public const ulong EvalTypes = 5002;
    public const ulong EvalCounts = 6003;

    /// <summary>The count family the counter was tuned on (not a test figure).</summary>
    public const ulong CountTuning = 5003;
    public const ulong EvalNuisance = 5004;

    /// <summary>Synthetic scenes added to the pixel model's training (<c>--synthetic N</c>).</summary>
    public const ulong PixelTraining = 31;

    /// <summary>Nuisance-only scenes added to the pooled pixel model's training as unchanged ground (<c>--nuisance N</c>).</summary>
    public const ulong PixelNuisanceTraining = 32;

    /// <summary>The scoring benchmark's quiet set (<c>bench/scoring.sh --dataset quiet</c>): measured for speed only, never for a figure of merit.</summary>
    public const ulong BenchQuiet = 8101;

    public const ulong ValidationScenes = 4001;
    public const ulong ValidationNuisance = 4004;
}
