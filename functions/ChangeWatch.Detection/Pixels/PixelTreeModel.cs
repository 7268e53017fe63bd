using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers.FastTree;

namespace ChangeWatch.Detection;

/// <summary>
/// A FastTree binary ensemble with its Platt calibration, read back from an ML.NET model and evaluated over feature
/// planes (<see cref="PixelFeatures"/>) without ML.NET's row machinery: no allocation, one pass per pixel. Probabilities
/// equal ML.NET's to float rounding. When every tree has at most 32 leaves (and 256-bit vectors are accelerated), eight
/// pixels are scored together in the QuickScorer layout (<see cref="QuickScorerEnsemble"/>: splits by feature and
/// threshold, leaf bit vectors; about 3× faster than the walk here); otherwise four pixels walk each tree together
/// (branch-free steps; a walk that reached its leaf stays there), so the four chains of dependent loads overlap. Either
/// way each pixel's score is the same sum in the same order as walking it alone (<see cref="RawScore"/>), so the
/// probabilities are bit-identical. Immutable and thread-safe.
/// </summary>
public sealed class PixelTreeModel
{
    private const int Block = 256;

    private readonly int[] _treeRoot;
    private readonly int[] _treeLeafBase;
    private readonly int[] _left;
    private readonly int[] _right;
    private readonly int[] _feature;
    private readonly float[] _threshold;
    private readonly double[] _leaf;
    private readonly Node[] _nodes;
    private readonly double _bias;
    private readonly double _slope;
    private readonly double _offset;
    private readonly QuickScorerEnsemble? _quick;

    private PixelTreeModel(TreeEnsemble<RegressionTree> ensemble, double slope, double offset)
    {
        var trees = ensemble.Trees;
        var weights = ensemble.TreeWeights;
        _treeRoot = new int[trees.Count];
        _treeLeafBase = new int[trees.Count];
        var nodes = trees.Sum(t => t.NumberOfNodes);
        var leaves = trees.Sum(t => t.NumberOfLeaves);
        _left = new int[nodes];
        _right = new int[nodes];
        _feature = new int[nodes];
        _threshold = new float[nodes];
        _leaf = new double[leaves];
        _nodes = new Node[Math.Max(1, nodes)];
        int nodeBase = 0, leafBase = 0;
        var maxFeature = -1;
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            if (tree.CategoricalSplitFlags.Any(c => c))
            {
                throw new InvalidDataException("The ensemble has categorical splits, which this evaluator does not support.");
            }

            _treeRoot[t] = tree.NumberOfNodes == 0 ? -1 : nodeBase;
            _treeLeafBase[t] = leafBase;
            for (var k = 0; k < tree.NumberOfNodes; k++)
            {
                // Children: >= 0 an internal node of this tree, < 0 a leaf (~index).
                _left[nodeBase + k] = tree.LeftChild[k] >= 0 ? nodeBase + tree.LeftChild[k] : tree.LeftChild[k];
                _right[nodeBase + k] = tree.RightChild[k] >= 0 ? nodeBase + tree.RightChild[k] : tree.RightChild[k];
                _feature[nodeBase + k] = tree.NumericalSplitFeatureIndexes[k];
                _threshold[nodeBase + k] = tree.NumericalSplitThresholds[k];
                maxFeature = Math.Max(maxFeature, tree.NumericalSplitFeatureIndexes[k]);
            }

            for (var k = 0; k < tree.NumberOfLeaves; k++)
            {
                _leaf[leafBase + k] = tree.LeafValues[k] * weights[t];
            }

            nodeBase += tree.NumberOfNodes;
            leafBase += tree.NumberOfLeaves;
        }

        for (var k = 0; k < nodes; k++)
        {
            _nodes[k] = new Node(_feature[k], _threshold[k], _left[k], _right[k]);
        }

        _bias = ensemble.Bias;
        _slope = slope;
        _offset = offset;
        MaxFeatureIndex = maxFeature;
        TreeCount = trees.Count;
        _quick = QuickScorerEnsemble.TryCreate(_treeRoot, _treeLeafBase, _left, _right, _feature, _threshold, _leaf, _bias, maxFeature + 1);
    }

    /// <summary>Trees in the ensemble.</summary>
    public int TreeCount { get; }

    /// <summary>Whether <see cref="Predict(ReadOnlySpan{float}, int, ReadOnlySpan{byte}, Span{float})"/> runs the QuickScorer layout (every tree at most 32 leaves, 256-bit vectors accelerated) rather than the tree walk.</summary>
    internal bool UsesQuickScorer => _quick is not null;

    /// <summary>Highest feature index any split reads (-1 when none).</summary>
    public int MaxFeatureIndex { get; }

    /// <summary>Reads the ensemble and calibration out of a trained or loaded ML.NET FastTree binary model (chain or single transformer).</summary>
    /// <exception cref="InvalidDataException">The model holds no calibrated FastTree binary predictor.</exception>
    public static PixelTreeModel FromTransformer(ITransformer transformer)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        var candidates = transformer is IEnumerable<ITransformer> chain ? chain.Reverse() : [transformer];
        foreach (var candidate in candidates)
        {
            if (candidate is not ISingleFeaturePredictionTransformer<object> prediction)
            {
                continue;
            }

            var model = prediction.Model;
            if (model is CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator> typed)
            {
                return new PixelTreeModel(typed.SubModel.TrainedTreeEnsemble, typed.Calibrator.Slope, typed.Calibrator.Offset);
            }

            // A model loaded from a zip is typed by interfaces; read its parts by name.
            var sub = PropertyValue(model, "SubModel");
            var calibrator = PropertyValue(model, "Calibrator");
            if (sub is FastTreeBinaryModelParameters trees && calibrator is PlattCalibrator platt)
            {
                return new PixelTreeModel(trees.TrainedTreeEnsemble, platt.Slope, platt.Offset);
            }
        }

        throw new InvalidDataException("The model holds no Platt-calibrated FastTree binary predictor.");
    }

    private static object? PropertyValue(object target, string name) =>
        target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name == name && p.GetIndexParameters().Length == 0)
            .Select(p => p.GetValue(target))
            .FirstOrDefault(v => v is not null);

    /// <summary>
    /// Writes the calibrated probability of change for every pixel of <paramref name="planes"/> (feature planes of
    /// <paramref name="pixels"/> values each) into <paramref name="destination"/>; pixels with
    /// <paramref name="valid"/> 0 get 0.
    /// </summary>
    public void Predict(ReadOnlySpan<float> planes, int pixels, ReadOnlySpan<byte> valid, Span<float> destination)
    {
        if (planes.Length < (MaxFeatureIndex + 1) * pixels || destination.Length < pixels || valid.Length < pixels)
        {
            throw new ArgumentException("The spans are too short for the pixel count.", nameof(planes));
        }

        if (_quick is { } quick)
        {
            PredictQuick(quick, planes, pixels, valid, destination);
            return;
        }

        // Features are gathered a block of pixels at a time into rows (one pixel's features contiguous), so each
        // tree walk reads one or two cache lines instead of one line per plane.
        var features = MaxFeatureIndex + 1;
        var rows = System.Buffers.ArrayPool<float>.Shared.Rent(Block * Math.Max(1, features));
        try
        {
            for (var start = 0; start < pixels; start += Block)
            {
                var count = Math.Min(Block, pixels - start);
                for (var f = 0; f < features; f++)
                {
                    var plane = planes.Slice(f * pixels + start, count);
                    for (var j = 0; j < count; j++)
                    {
                        rows[j * features + f] = plane[j];
                    }
                }

                var width = Math.Max(1, features);
                var k = 0;
                for (; k + 4 <= count; k += 4)
                {
                    var (s0, s1, s2, s3) = RawScores(rows.AsSpan(k * width, 4 * width), width);
                    var i = start + k;
                    destination[i] = valid[i] == 0 ? 0f : (float)Calibrate(s0);
                    destination[i + 1] = valid[i + 1] == 0 ? 0f : (float)Calibrate(s1);
                    destination[i + 2] = valid[i + 2] == 0 ? 0f : (float)Calibrate(s2);
                    destination[i + 3] = valid[i + 3] == 0 ? 0f : (float)Calibrate(s3);
                }

                for (; k < count; k++)
                {
                    var i = start + k;
                    destination[i] = valid[i] == 0 ? 0f : (float)Calibrate(RawScore(rows.AsSpan(k * width, width), 1, 0));
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rows);
        }
    }

    /// <summary>
    /// Writes the calibrated probability of change of the pixels listed in <paramref name="indices"/> (positions in
    /// feature planes of <paramref name="pixels"/> values each) into <paramref name="destination"/> at the same
    /// positions; pixels with <paramref name="valid"/> 0 get 0; other positions are left as they are.
    /// </summary>
    public void Predict(ReadOnlySpan<float> planes, int pixels, ReadOnlySpan<int> indices, ReadOnlySpan<byte> valid, Span<float> destination)
    {
        if (planes.Length < (MaxFeatureIndex + 1) * pixels || destination.Length < pixels || valid.Length < pixels)
        {
            throw new ArgumentException("The spans are too short for the pixel count.", nameof(planes));
        }

        if (_quick is { } quick)
        {
            PredictQuick(quick, planes, pixels, indices, valid, destination);
            return;
        }

        var features = Math.Max(1, MaxFeatureIndex + 1);
        var rows = System.Buffers.ArrayPool<float>.Shared.Rent(Block * features);
        try
        {
            for (var start = 0; start < indices.Length; start += Block)
            {
                var batch = indices.Slice(start, Math.Min(Block, indices.Length - start));
                for (var j = 0; j < batch.Length; j++)
                {
                    var i = batch[j];
                    for (var f = 0; f <= MaxFeatureIndex; f++)
                    {
                        rows[j * features + f] = planes[f * pixels + i];
                    }
                }

                var k = 0;
                for (; k + 4 <= batch.Length; k += 4)
                {
                    var (s0, s1, s2, s3) = RawScores(rows.AsSpan(k * features, 4 * features), features);
                    var (i0, i1, i2, i3) = (batch[k], batch[k + 1], batch[k + 2], batch[k + 3]);
                    destination[i0] = valid[i0] == 0 ? 0f : (float)Calibrate(s0);
                    destination[i1] = valid[i1] == 0 ? 0f : (float)Calibrate(s1);
                    destination[i2] = valid[i2] == 0 ? 0f : (float)Calibrate(s2);
                    destination[i3] = valid[i3] == 0 ? 0f : (float)Calibrate(s3);
                }

                for (; k < batch.Length; k++)
                {
                    var i = batch[k];
                    destination[i] = valid[i] == 0 ? 0f : (float)Calibrate(RawScore(rows.AsSpan(k * features, features), 1, 0));
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rows);
        }
    }

    /// <summary>Every pixel a vector of pixels at a time, straight from the planes; the last partial vector from a copy padded with its last pixel.</summary>
    private void PredictQuick(QuickScorerEnsemble quick, ReadOnlySpan<float> planes, int pixels, ReadOnlySpan<byte> valid, Span<float> destination)
    {
        const int Lanes = QuickScorerEnsemble.Lanes;
        var features = quick.FeatureCount;
        Span<uint> scratch = stackalloc uint[quick.ScratchLength];
        Span<double> scores = stackalloc double[Lanes];
        Span<float> block = stackalloc float[Math.Max(1, features) * Lanes];
        ref var first = ref MemoryMarshal.GetReference(planes);
        var i = 0;
        for (; i + Lanes <= pixels; i += Lanes)
        {
            quick.RawScores(ref Unsafe.Add(ref first, i), pixels, scratch, scores);
            Write(scores, valid.Slice(i, Lanes), destination.Slice(i, Lanes), Lanes);
        }

        if (i < pixels)
        {
            var count = pixels - i;
            for (var f = 0; f < features; f++)
            {
                for (var lane = 0; lane < Lanes; lane++)
                {
                    block[f * Lanes + lane] = planes[f * pixels + i + Math.Min(lane, count - 1)];
                }
            }

            quick.RawScores(ref MemoryMarshal.GetReference(block), Lanes, scratch, scores);
            Write(scores, valid.Slice(i, count), destination.Slice(i, count), count);
        }
    }

    /// <summary>The listed pixels a vector at a time, each vector's features copied into a block (the last padded with its last pixel).</summary>
    private void PredictQuick(QuickScorerEnsemble quick, ReadOnlySpan<float> planes, int pixels, ReadOnlySpan<int> indices, ReadOnlySpan<byte> valid, Span<float> destination)
    {
        const int Lanes = QuickScorerEnsemble.Lanes;
        var features = quick.FeatureCount;
        Span<uint> scratch = stackalloc uint[quick.ScratchLength];
        Span<double> scores = stackalloc double[Lanes];
        Span<float> block = stackalloc float[Math.Max(1, features) * Lanes];
        ref var first = ref MemoryMarshal.GetReference(planes);
        for (var start = 0; start < indices.Length; start += Lanes)
        {
            var count = Math.Min(Lanes, indices.Length - start);
            var batch = indices.Slice(start, count);
            for (var f = 0; f < features; f++)
            {
                ref var plane = ref Unsafe.Add(ref first, f * pixels);
                for (var lane = 0; lane < Lanes; lane++)
                {
                    block[f * Lanes + lane] = Unsafe.Add(ref plane, batch[Math.Min(lane, count - 1)]);
                }
            }

            quick.RawScores(ref MemoryMarshal.GetReference(block), Lanes, scratch, scores);
            for (var lane = 0; lane < count; lane++)
            {
                var i = batch[lane];
                destination[i] = valid[i] == 0 ? 0f : (float)Calibrate(scores[lane]);
            }
        }
    }

    private void Write(ReadOnlySpan<double> scores, ReadOnlySpan<byte> valid, Span<float> destination, int count)
    {
        for (var lane = 0; lane < count; lane++)
        {
            destination[lane] = valid[lane] == 0 ? 0f : (float)Calibrate(scores[lane]);
        }
    }

    /// <summary>The uncalibrated ensemble score of pixel <paramref name="index"/>.</summary>
    public double RawScore(ReadOnlySpan<float> planes, int pixels, int index)
    {
        var score = _bias;
        var left = _left;
        var right = _right;
        var feature = _feature;
        var threshold = _threshold;
        for (var t = 0; t < _treeRoot.Length; t++)
        {
            var node = _treeRoot[t];
            if (node < 0)
            {
                score += _leaf[_treeLeafBase[t]];
                continue;
            }

            while (node >= 0)
            {
                node = planes[feature[node] * pixels + index] <= threshold[node] ? left[node] : right[node];
            }

            score += _leaf[_treeLeafBase[t] + ~node];
        }

        return score;
    }

    /// <summary>
    /// The uncalibrated scores of four feature rows (<paramref name="rows"/>: four rows of <paramref name="width"/>
    /// values), each the same sum in the same order as <see cref="RawScore"/> gives.
    /// </summary>
    private (double, double, double, double) RawScores(ReadOnlySpan<float> rows, int width)
    {
        double s0 = _bias, s1 = _bias, s2 = _bias, s3 = _bias;
        ref var r0 = ref MemoryMarshal.GetReference(rows);
        ref var r1 = ref Unsafe.Add(ref r0, width);
        ref var r2 = ref Unsafe.Add(ref r0, 2 * width);
        ref var r3 = ref Unsafe.Add(ref r0, 3 * width);
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        var leaf = _leaf;
        for (var t = 0; t < _treeRoot.Length; t++)
        {
            var root = _treeRoot[t];
            var leafBase = _treeLeafBase[t];
            if (root < 0)
            {
                var only = leaf[leafBase];
                (s0, s1, s2, s3) = (s0 + only, s1 + only, s2 + only, s3 + only);
                continue;
            }

            int n0 = root, n1 = root, n2 = root, n3 = root;
            while ((n0 & n1 & n2 & n3) >= 0)
            {
                n0 = Step(ref nodes, ref r0, n0);
                n1 = Step(ref nodes, ref r1, n1);
                n2 = Step(ref nodes, ref r2, n2);
                n3 = Step(ref nodes, ref r3, n3);
            }

            s0 += leaf[leafBase + ~n0];
            s1 += leaf[leafBase + ~n1];
            s2 += leaf[leafBase + ~n2];
            s3 += leaf[leafBase + ~n3];
        }

        return (s0, s1, s2, s3);
    }

    /// <summary>One step of a walk: the child of internal node <paramref name="node"/>, or <paramref name="node"/> itself once it is a leaf (negative), without a branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Step(ref Node nodes, ref float row, int node)
    {
        var leafMask = node >> 31; // all ones at a leaf
        ref readonly var current = ref Unsafe.Add(ref nodes, node & ~leafMask); // node 0 stands in at a leaf
        var goRight = Unsafe.Add(ref row, current.Feature) <= current.Threshold ? 0 : 1; // a flag, not a branch
        var next = Unsafe.Add(ref Unsafe.AsRef(in current.Left), goRight); // Right follows Left
        return (next & ~leafMask) | (node & leafMask);
    }

    /// <summary>Platt calibration of a raw score.</summary>
    public double Calibrate(double rawScore) => 1.0 / (1.0 + Math.Exp(_slope * rawScore + _offset));

    /// <summary>A split: rows whose <see cref="Feature"/> is at most <see cref="Threshold"/> go <see cref="Left"/>; children below 0 are leaves (~index).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Node(int feature, float threshold, int left, int right)
    {
        public readonly int Feature = feature;
        public readonly float Threshold = threshold;
        public readonly int Left = left;
        public readonly int Right = right;
    }
}
