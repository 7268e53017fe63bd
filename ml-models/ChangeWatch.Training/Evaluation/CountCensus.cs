using System.Globalization;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Detection;
using ChangeWatch.Synthetic;
using ChangeWatch.Training.Data;

namespace ChangeWatch.Training.Evaluation;

/// <summary>
/// <c>eval --dataset synthetic --only counts --explain true</c>: where the vehicles of the build-up scenes go in the
/// count, tile core by tile core as the pipeline counts them (<see cref="SyntheticEvaluation.TileSize"/> tiles, prepared).
/// Arrivals (present after, not before) by the change blob their centre pixel lies in, under the rules' reading of that
/// blob (its verdict and direction, "+" arrived, "−" left), with what the counter counted in those blobs; static vehicles
/// (present on both dates) by the before-image candidate they lie in: counted (the counter gives it ≥ 0.5), scored 0
/// mostly green (≥ 20 % of its pixels), scored 0 otherwise, or in no candidate — or, for a counter that counts the
/// before image by keypoints, by the nearest keypoint within 2 m and whether its probability is at least 0.5; and the
/// departures counted, after the counter's departure gate (the build-up scenes have none). Every arrival and static vehicle in a core is in exactly one row, so the rows sum to the
/// truth. For development: it tells which stage loses vehicles, not how many scenes pass.
/// </summary>
internal static class CountCensus
{
    /// <summary>Row name of the arrivals whose centre pixel lies in no change blob.</summary>
    public const string NoBlob = "no change blob";

    /// <summary>Share of green pixels (<c>green_share</c>) from which a candidate counts as mostly green.</summary>
    public const double GreenShare = 0.2;

    /// <summary>What one family's census found, summed over its scenes.</summary>
    internal sealed record Census(
        IReadOnlyDictionary<string, (int Arrivals, double Counted, int Blobs)> Arrivals,
        IReadOnlyDictionary<string, int> Static,
        int TrueArrivals,
        int TrueStatic,
        double Departures,
        int ScenesWithDepartures);

    /// <summary>The census of scenes 0 … <paramref name="scenes"/> − 1 of build-up family <paramref name="family"/> at <paramref name="gsd"/>.</summary>
    public static Census Take(int scenes, ulong family, double gsd, VehicleCountModel counter)
    {
        var perScene = Enumerable.Range(0, scenes).AsParallel().AsOrdered().Select(i => Scene(CountScenes.BuildUp(family, i, gsd), gsd, counter)).ToList();
        var arrivals = new SortedDictionary<string, (int Arrivals, double Counted, int Blobs)>(StringComparer.Ordinal);
        var statics = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in perScene)
        {
            foreach (var (key, value) in s.Arrivals)
            {
                var (a, c, b) = arrivals.GetValueOrDefault(key);
                arrivals[key] = (a + value.Arrivals, c + value.Counted, b + value.Blobs);
            }

            foreach (var (key, value) in s.Static)
            {
                statics[key] = statics.GetValueOrDefault(key) + value;
            }
        }

        return new Census(arrivals, statics, perScene.Sum(s => s.TrueArrivals), perScene.Sum(s => s.TrueStatic), perScene.Sum(s => s.Departures), perScene.Count(s => s.Departures >= 0.5));
    }

    /// <summary>Prints <paramref name="census"/> as a few lines under the count figures.</summary>
    public static void Write(TextWriter output, Census census, int scenes, ulong family, double gsd, string counter)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"count census ({scenes} build-up scenes, seed {family}, {gsd} m, counted by {counter}; tile cores):"));
        output.WriteLine(string.Create(c, $"  arrivals ({census.TrueArrivals}) by the change blob they lie in (rules' verdict, + arrived / − left): true / counted there / blobs holding any"));
        foreach (var (key, (a, counted, blobs)) in census.Arrivals.OrderByDescending(kv => kv.Value.Arrivals).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(c, $"    {key,-18} {a,6} / {counted,7:F1} / {blobs}"));
        }

        output.WriteLine(string.Create(c, $"  static vehicles ({census.TrueStatic}) by what the before count saw of them (the candidate they lie in, or the nearest keypoint):"));
        foreach (var (key, n) in census.Static.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(c, $"    {key,-28} {n,6}"));
        }

        output.WriteLine(string.Create(c, $"  departures counted (none left in these scenes): {census.Departures:F1} in {census.ScenesWithDepartures} of {scenes} scenes"));
    }

    private sealed record SceneCensus(
        Dictionary<string, (int Arrivals, double Counted, int Blobs)> Arrivals, Dictionary<string, int> Static, int TrueArrivals, int TrueStatic, double Departures);

    private static SceneCensus Scene(SyntheticPair pair, double gsd, VehicleCountModel counter)
    {
        var arrivals = new Dictionary<string, (int Arrivals, double Counted, int Blobs)>(StringComparer.Ordinal);
        var statics = new Dictionary<string, int>(StringComparer.Ordinal);
        int trueArrivals = 0, trueStatic = 0;
        double departures = 0;
        var margin = SyntheticEvaluation.TileOverlap / 2;
        foreach (var tile in SyntheticTiling.Tiles(pair, SyntheticEvaluation.TileSize, SyntheticEvaluation.TileOverlap, gsd))
        {
            var prepared = TilePairPreparation.Prepare(tile.Before, tile.After);
            var (w, h) = (prepared.Before.Width, prepared.Before.Height);
            var core = new PixelWindow(margin, margin, w - 2 * margin, h - 2 * margin);
            var candidateLabels = new int[w * h];
            var contrast = new float[w * h];
            // The before image's candidates, their counts and (for a keypoint counter) keypoints, as the counter reads them.
            List<ObjectCounter.Candidate> candidates = [];
            List<VehicleKeypoints.Keypoint> keypoints = [];
            float[] candidateCounts;
            if (counter.CountsKeypoints)
            {
                keypoints = VehicleKeypoints.Find(prepared.Before, gsd, f => counter.Objects(f), candidateLabels, contrast, out candidateCounts);
            }
            else
            {
                candidates = ObjectCounter.Candidates(prepared.Before, gsd, core, candidateLabels, contrast);
                candidateCounts = candidates.Select(c => counter.Objects(c.Features)).ToArray();
            }

            var blobLabels = new int[w * h];
            var blobs = new List<ChangeObjectCounter.ChangeBlob>();
            var gate = counter.GatesDepartures ? new ChangeObjectCounter.BeforeCandidates(candidateLabels, candidateCounts) : default;
            ChangeObjectCounter.Count(prepared.Before, prepared.After, gsd, core, contrast, blobs, default, counter, blobLabels, gate);
            var byIndex = blobs.ToDictionary(b => b.Index);

            var held = new Dictionary<int, int>();
            foreach (var o in pair.Objects)
            {
                var (x, y) = ((int)Math.Floor(o.X) - tile.Window.X, (int)Math.Floor(o.Y) - tile.Window.Y);
                if (x < core.X || y < core.Y || x >= core.X + core.Width || y >= core.Y + core.Height)
                {
                    continue;
                }

                var p = y * w + x;
                if (o.After && !o.Before)
                {
                    trueArrivals++;
                    var label = blobLabels[p];
                    var key = label > 0 && byIndex.TryGetValue(label - 1, out var blob) ? Key(blob) : NoBlob;
                    var (a, counted, n) = arrivals.GetValueOrDefault(key);
                    arrivals[key] = (a + 1, counted, n);
                    if (label > 0)
                    {
                        held[label - 1] = held.GetValueOrDefault(label - 1) + 1;
                    }
                }
                else if (o.Before && o.After)
                {
                    trueStatic++;
                    var key = counter.CountsKeypoints
                        ? KeypointKey(keypoints, o.X - tile.Window.X, o.Y - tile.Window.Y, gsd, counter)
                        : candidateLabels[p] is > 0 and var l ? CandidateKey(candidates[l - 1], candidateCounts[l - 1]) : "in no candidate";
                    statics[key] = statics.GetValueOrDefault(key) + 1;
                }
            }

            foreach (var blob in blobs)
            {
                if (blob.CoreShare <= 0)
                {
                    continue;
                }

                var key = Key(blob);
                var (a, counted, n) = arrivals.GetValueOrDefault(key);

                // The model's arrivals in the blob (rounded, as the examined blob records them); the departures counted
                // (the rules', after the model's departure gate when it has one).
                var arrived = blob.Objects * blob.CoreShare;
                departures += blob.Left * blob.CoreShare;
                if (arrived > 0 || held.ContainsKey(blob.Index))
                {
                    arrivals[key] = (a, counted + arrived, n + (held.ContainsKey(blob.Index) ? 1 : 0));
                }
            }
        }

        return new SceneCensus(arrivals, statics, trueArrivals, trueStatic, departures);
    }

    /// <summary>
    /// The blob's row: its verdict and the direction test's reading (+ arrived, − left). A blob rejected by shape is never
    /// counted by the rules, so its own direction flag stays "left"; the test's reading is its feature <c>rule_arrived</c>.
    /// </summary>
    private static string Key(ChangeObjectCounter.ChangeBlob blob) =>
        blob.Verdict + ((blob.Verdict == "shape" ? blob.Features![ChangeObjectCounter.RuleArrivedFeature] > 0 : blob.Arrived) ? " +" : " −");

    private static string CandidateKey(ObjectCounter.Candidate candidate, float objects) =>
        objects >= 0.5 ? "counted" : candidate.Features[20] >= GreenShare ? "scored 0, mostly green" : "scored 0, other";

    /// <summary>A static vehicle under a keypoint count: by the nearest keypoint within <see cref="Modelling.CounterTraining.MatchMetres"/> and its probability.</summary>
    private static string KeypointKey(List<VehicleKeypoints.Keypoint> keypoints, double x, double y, double gsd, VehicleCountModel counter)
    {
        var reach = Modelling.CounterTraining.MatchMetres / gsd;
        var nearest = keypoints
            .Select(k => (Keypoint: k, Distance: Math.Sqrt(Math.Pow(k.X + 0.5 - x, 2) + Math.Pow(k.Y + 0.5 - y, 2))))
            .Where(k => k.Distance <= reach)
            .OrderBy(k => k.Distance)
            .Select(k => k.Keypoint)
            .FirstOrDefault();
        return nearest is not { Features: not null } ? "no keypoint within 2 m" : counter.KeypointProbability(nearest.Features) >= 0.5 ? "keypoint p >= 0.5" : "keypoint p < 0.5";
    }
}
