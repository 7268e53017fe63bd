using System.Diagnostics;
using System.Globalization;
using System.Text;
using ChangeWatch.Detection;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Training.Data;

/// <summary>
/// <c>dump-types --seed N --pairs N --out FILE</c>: writes the <see cref="TypeDataset"/> pairs of one seed family as a
/// tab-separated table (type, placed kind, formation, vehicles, nuisance, size, NIR, then the <see cref="ChangeTypeFeatures"/>
/// values), for looking at what the type model confuses. Reports the mean cost of the tile-pair and the extra features.
/// </summary>
internal static class TypeFeatureDump
{
    public static int Run(ulong seed, int count, string path, bool prepare, TextWriter log)
    {
        var rows = new string?[count];
        long baseTicks = 0, extraTicks = 0;
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var (pair, typeIndex, kind) = TypeDataset.Render(ScenarioRandom.Mix(seed, (ulong)i, 0x7E9E));
            if (kind != ChangeKind.None && pair.ChangedPixels < SyntheticDataset.MinChangedPixels)
            {
                return;
            }

            var f = new float[ChangeTypeFeatures.Count];
            var (before, after) = (pair.Before, pair.After);
            if (prepare)
            {
                var prepared = TilePairPreparation.Prepare(before, after);
                (before, after) = (prepared.Before, prepared.After);
            }

            var t0 = Stopwatch.GetTimestamp();
            TilePairFeatures.Compute(before, after, f.AsSpan(0, TilePairFeatures.Count));
            var t1 = Stopwatch.GetTimestamp();
            ChangeTypeFeatures.ComputeExtras(before, after, f.AsSpan(TilePairFeatures.Count));
            var t2 = Stopwatch.GetTimestamp();
            Interlocked.Add(ref baseTicks, t1 - t0);
            Interlocked.Add(ref extraTicks, t2 - t1);
            var placed = pair.Changes.FirstOrDefault();
            var n = pair.Nuisance;
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"{i}\t{typeIndex}\t{kind}\t{placed?.Formation?.ToString() ?? "-"}\t{placed?.ObjectCount ?? 0}\t{pair.ChangedPixels}\t{pair.Width}\t{pair.Before.BandCount}\t");
            sb.Append(CultureInfo.InvariantCulture, $"{n.Gain:F3}\t{n.BandGainSpread:F3}\t{n.Offset:F2}\t{n.Season:F3}\t{n.Haze:F3}\t{n.Blur:F2}\t{n.NoiseSigma:F2}\t{Math.Sqrt(n.ShiftX * n.ShiftX + n.ShiftY * n.ShiftY):F2}\t{n.FieldChangeFraction:F2}\t{pair.Objects.Count(o => o.Before && o.After)}");
            foreach (var v in f)
            {
                sb.Append('\t').Append(v.ToString("R", CultureInfo.InvariantCulture));
            }

            rows[i] = sb.ToString();
        });
        using var writer = new StreamWriter(path);
        writer.WriteLine("index\ttype\tkind\tformation\tobjects\tchangedPixels\tsize\tbands\tgain\tbandGain\toffset\tseason\thaze\tblur\tnoise\tshift\tfields\tstatic\t" + string.Join('\t', ChangeTypeFeatures.Names));
        var written = 0;
        foreach (var row in rows.Where(r => r is not null))
        {
            writer.WriteLine(row);
            written++;
        }

        var ms = 1000.0 / Stopwatch.Frequency / Math.Max(1, written);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {written} pairs to {path}; mean per pair (threads {Environment.ProcessorCount}): tile-pair features {baseTicks * ms:F2} ms, extra type features {extraTicks * ms:F2} ms"));
        log.WriteLine(ChangeWatch.Training.Modelling.TypeStepCost.Measure());
        return 0;
    }
}
