using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ChangeWatch.Detection;

/// <summary>
/// A tree ensemble laid out for QuickScorer (Lucchese et al., SIGIR 2015), evaluated <see cref="Lanes"/> pixels at a
/// time: each tree's leaves are numbered left to right and each pixel holds one bit per leaf, all set at the start;
/// every split of every tree is listed by feature in ascending threshold, and for each feature the splits a pixel
/// fails (its value is not at most the threshold, so it goes right) clear the bits of that split's left subtree; the
/// leftmost bit left in a tree is the leaf the root-to-leaf walk reaches. The splits of a feature are visited only
/// until every pixel's value is at most the threshold, in vectors of <see cref="Lanes"/> pixels, without branches that
/// depend on the tree shape. Each pixel's score is the bias plus its leaves' values in tree order: the same sum in the
/// same order as walking the trees, so scores are bit-identical. Only for trees of at most 32 leaves. Immutable.
/// </summary>
internal sealed class QuickScorerEnsemble
{
    /// <summary>Pixels scored together (one 256-bit vector of floats).</summary>
    public const int Lanes = 8;

    private const int MaxLeaves = 32;

    private readonly int[] _featureStart;
    private readonly float[] _threshold;
    private readonly int[] _bitsOffset;
    private readonly uint[] _leftLeaves;
    private readonly uint[] _initial;
    private readonly double[] _leafValue;
    private readonly double _bias;

    private QuickScorerEnsemble(int[] featureStart, float[] threshold, int[] bitsOffset, uint[] leftLeaves, uint[] initial, double[] leafValue, double bias)
    {
        _featureStart = featureStart;
        _threshold = threshold;
        _bitsOffset = bitsOffset;
        _leftLeaves = leftLeaves;
        _initial = initial;
        _leafValue = leafValue;
        _bias = bias;
    }

    /// <summary>Trees in the ensemble.</summary>
    public int TreeCount => _initial.Length;

    /// <summary>Features the splits read (the highest index read + 1).</summary>
    public int FeatureCount => _featureStart.Length - 1;

    /// <summary>
    /// The ensemble in QuickScorer layout, from the walker's arrays (children ≥ 0 internal nodes, &lt; 0 leaves as ~index
    /// within the tree; a tree whose root is &lt; 0 is its first leaf); null when a tree has more than 32 leaves or
    /// 256-bit vectors are not accelerated here.
    /// </summary>
    public static QuickScorerEnsemble? TryCreate(int[] treeRoot, int[] treeLeafBase, int[] left, int[] right, int[] feature, float[] threshold, double[] leaf, double bias, int features)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            return null;
        }

        var trees = treeRoot.Length;
        var splits = new List<(int Feature, float Threshold, int Tree, uint LeftLeaves)>(left.Length);
        var initial = new uint[trees];
        var leafValue = new double[trees * MaxLeaves];
        var order = new List<int>(MaxLeaves);
        for (var t = 0; t < trees; t++)
        {
            order.Clear();
            if (treeRoot[t] < 0)
            {
                order.Add(0);
            }
            else if (!Visit(treeRoot[t]))
            {
                return null;
            }

            initial[t] = order.Count == MaxLeaves ? uint.MaxValue : (1u << order.Count) - 1;
            for (var p = 0; p < order.Count; p++)
            {
                leafValue[t * MaxLeaves + p] = leaf[treeLeafBase[t] + order[p]];
            }

            // In-order walk: leaves appended left to right; each split records the bits of its left subtree.
            bool Visit(int node)
            {
                if (node < 0)
                {
                    order.Add(~node);
                    return order.Count <= MaxLeaves;
                }

                var first = order.Count;
                if (!Visit(left[node]))
                {
                    return false;
                }

                var bits = order.Count - first == MaxLeaves ? uint.MaxValue : ((1u << (order.Count - first)) - 1) << first;
                splits.Add((feature[node], threshold[node], t, bits));
                return Visit(right[node]);
            }
        }

        var sorted = splits.OrderBy(s => s.Feature).ThenBy(s => s.Threshold).ToArray();
        var featureStart = new int[features + 1];
        foreach (var s in sorted)
        {
            featureStart[s.Feature + 1]++;
        }

        for (var f = 0; f < features; f++)
        {
            featureStart[f + 1] += featureStart[f];
        }

        return new QuickScorerEnsemble(
            featureStart,
            [.. sorted.Select(s => s.Threshold)],
            [.. sorted.Select(s => s.Tree * Lanes)],
            [.. sorted.Select(s => s.LeftLeaves)],
            initial,
            leafValue,
            bias);
    }

    /// <summary>Scratch a call to <see cref="RawScores"/> needs, in uints.</summary>
    public int ScratchLength => TreeCount * Lanes;

    /// <summary>
    /// The uncalibrated scores of <see cref="Lanes"/> pixels whose feature f values are the <see cref="Lanes"/> floats
    /// at <c>f * featureStride</c> from <paramref name="values"/>, into <paramref name="scores"/>.
    /// </summary>
    public void RawScores(ref float values, int featureStride, Span<uint> scratch, Span<double> scores)
    {
        ref var bits = ref MemoryMarshal.GetReference(scratch[..ScratchLength]);
        var initial = _initial;
        for (var t = 0; t < initial.Length; t++)
        {
            Vector256.Create(initial[t]).StoreUnsafe(ref bits, (nuint)(t * Lanes));
        }

        ref var thresholds = ref MemoryMarshal.GetArrayDataReference(_threshold);
        ref var offsets = ref MemoryMarshal.GetArrayDataReference(_bitsOffset);
        ref var leftLeaves = ref MemoryMarshal.GetArrayDataReference(_leftLeaves);
        var featureStart = _featureStart;
        for (var f = 0; f + 1 < featureStart.Length; f++)
        {
            var k = featureStart[f];
            var end = featureStart[f + 1];
            if (k == end)
            {
                continue;
            }

            var x = Vector256.LoadUnsafe(ref values, (nuint)(f * featureStride));
            for (; k < end; k++)
            {
                // Pixels that go right at this split: not (x <= threshold), so NaN goes right as in the walk.
                var goRight = ~Vector256.LessThanOrEqual(x, Vector256.Create(Unsafe.Add(ref thresholds, k))).AsUInt32();
                if (goRight == Vector256<uint>.Zero)
                {
                    break; // every later split of this feature has a threshold at least as high
                }

                ref var slot = ref Unsafe.As<uint, Vector256<uint>>(ref Unsafe.Add(ref bits, Unsafe.Add(ref offsets, k)));
                slot = Vector256.AndNot(slot, goRight & Vector256.Create(Unsafe.Add(ref leftLeaves, k)));
            }
        }

        ref var leafValues = ref MemoryMarshal.GetArrayDataReference(_leafValue);
        double s0 = _bias, s1 = _bias, s2 = _bias, s3 = _bias, s4 = _bias, s5 = _bias, s6 = _bias, s7 = _bias;
        for (var t = 0; t < initial.Length; t++)
        {
            ref var treeBits = ref Unsafe.Add(ref bits, t * Lanes);
            ref var values0 = ref Unsafe.Add(ref leafValues, t * MaxLeaves);
            s0 += Unsafe.Add(ref values0, BitOperations.TrailingZeroCount(treeBits));
            s1 += Unsafe.Add(ref values0, BitOperations.TrailingZeroCount(Unsafe.Add(ref treeBits, 1)));
            s2 += Unsafe.Add(ref values0, BitOperations.TrailingZeroCount(Unsafe.Add(ref treeBits, 2)));
            s3 += Unsafe.Add(ref values0, BitOperations.TrailingZeroCount(Unsafe.Add(ref treeBits, 3)));
            s4 += Unsafe.Add(ref values0, BitOperations.TrailingZeroCount(Unsafe.Add(ref treeBits, 4)));
            s5 += Unsafe.Add(ref values0, BitOperations.TrailingZeroCount(Unsafe.Add(ref treeBits, 5)));
            s6 += Unsafe.Add(ref values0, BitOperations.TrailingZeroCount(Unsafe.Add(ref treeBits, 6)));
            s7 += Unsafe.Add(ref values0, BitOperations.TrailingZeroCount(Unsafe.Add(ref treeBits, 7)));
        }

        (scores[0], scores[1], scores[2], scores[3], scores[4], scores[5], scores[6], scores[7]) = (s0, s1, s2, s3, s4, s5, s6, s7);
    }
}
