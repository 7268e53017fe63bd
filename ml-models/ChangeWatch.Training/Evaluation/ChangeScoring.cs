using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Evaluation;

/// <summary>
/// The project's evaluation rule (../shared/data/SOURCES.md): pixel counts of the change class pooled over pixels,
/// and 64×64 cells (edge cells keep their partial size) where a cell is truly changed when at least 1 % of its pixels
/// are changed or it holds an 8-connected changed blob of at least 64 pixels, and predicted changed when at least 1 %
/// of its pixels are predicted changed. Cell scores (for ROC AUC) are the 99th percentile of the pixel score in the
/// cell, so "score ≥ threshold" matches "at least 1 % of pixels predicted" for a pixel threshold.
/// </summary>
internal sealed class ChangeScoring
{
    public const int CellSize = 64;

    private readonly List<(double Score, bool Truth)> _cells = [];

    public ChangeCounts Pixels;

    public ChangeCounts Cells;

    /// <summary>Trivial "every cell changed" counts (all predicted).</summary>
    public ChangeCounts TrivialCells;

    public IReadOnlyList<(double Score, bool Truth)> CellScores => _cells;

    public double CellAuc => RocAuc(_cells);

    /// <summary>Adds a pair: <paramref name="predicted"/> (1 = change) and optional per-pixel <paramref name="score"/> for the cell AUC.</summary>
    public void Add(ChangePair pair, ReadOnlySpan<byte> predicted, ReadOnlySpan<float> score)
    {
        var (w, h) = (pair.Width, pair.Height);
        var truth = pair.Truth;
        for (var i = 0; i < w * h; i++)
        {
            Pixels.Add(truth[i] != 0, predicted[i] != 0);
        }

        var values = new float[CellSize * CellSize];
        var cellMask = new byte[CellSize * CellSize];
        var stack = new int[CellSize * CellSize];
        for (var cy = 0; cy < h; cy += CellSize)
        {
            for (var cx = 0; cx < w; cx += CellSize)
            {
                var cw = Math.Min(CellSize, w - cx);
                var ch = Math.Min(CellSize, h - cy);
                int changed = 0, flagged = 0, k = 0;
                for (var y = 0; y < ch; y++)
                {
                    for (var x = 0; x < cw; x++)
                    {
                        var p = (cy + y) * w + cx + x;
                        cellMask[y * cw + x] = truth[p];
                        changed += truth[p];
                        flagged += predicted[p] != 0 ? 1 : 0;
                        if (!score.IsEmpty)
                        {
                            values[k++] = score[p];
                        }
                    }
                }

                var area = cw * ch;
                var isChanged = changed >= 0.01 * area || (changed >= 64 && LargestBlob(cellMask.AsSpan(0, area), cw, ch, stack) >= 64);
                var isFlagged = flagged >= 0.01 * area;
                Cells.Add(isChanged, isFlagged);
                TrivialCells.Add(isChanged, true);
                if (!score.IsEmpty)
                {
                    var v = values.AsSpan(0, k);
                    v.Sort();
                    var q = Math.Max(0, (int)Math.Ceiling(0.99 * k) - 1);
                    _cells.Add((v[q], isChanged));
                }
            }
        }
    }

    /// <summary>ROC AUC by the rank-sum (ties count half); 0.5 when a class is missing.</summary>
    public static double RocAuc(IReadOnlyList<(double Score, bool Truth)> items)
    {
        var sorted = items.OrderBy(i => i.Score).ToArray();
        long positives = sorted.Count(i => i.Truth);
        long negatives = sorted.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return 0.5;
        }

        double rankSum = 0;
        for (var i = 0; i < sorted.Length;)
        {
            var j = i;
            while (j < sorted.Length && sorted[j].Score == sorted[i].Score)
            {
                j++;
            }

            var rank = (i + 1 + j) / 2.0;
            for (var k = i; k < j; k++)
            {
                if (sorted[k].Truth)
                {
                    rankSum += rank;
                }
            }

            i = j;
        }

        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    private static int LargestBlob(Span<byte> mask, int w, int h, int[] stack)
    {
        var largest = 0;
        for (var start = 0; start < w * h; start++)
        {
            if (mask[start] != 1)
            {
                continue;
            }

            var size = 0;
            var top = 0;
            stack[top++] = start;
            mask[start] = 2;
            while (top > 0)
            {
                var p = stack[--top];
                size++;
                var (px, py) = (p % w, p / w);
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var (qx, qy) = (px + dx, py + dy);
                        if ((uint)qx < (uint)w && (uint)qy < (uint)h && mask[qy * w + qx] == 1)
                        {
                            mask[qy * w + qx] = 2;
                            stack[top++] = qy * w + qx;
                        }
                    }
                }
            }

            largest = Math.Max(largest, size);
        }

        return largest;
    }
}
