using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;

namespace ChangeWatch.Detection;

/// <summary>
/// The learned count of one image's vehicles (the before image of a tile pair; <see cref="ObjectCounter"/>): two ML.NET
/// FastTree ensembles over each candidate blob's features (<see cref="ObjectCounter.CandidateFeatureNames"/>), one
/// deciding whether the blob holds a vehicle (raw score at least <see cref="Threshold"/>), one how many (at least one).
/// Trained by <c>train-counter</c> on generated scenes (ml-models/models/objects-v1/MODEL.md); the shipped model is
/// embedded in this assembly (<see cref="Shipped"/>). The ensembles are walked here, without ML.NET's row machinery.
/// Immutable and thread-safe.
/// </summary>
public sealed class VehicleCountModel
{
    /// <summary>Version of the model embedded in this assembly.</summary>
    public const string ShippedVersion = "objects-v1";

    private static readonly Lazy<VehicleCountModel> LazyShipped = new(LoadShipped);

    private readonly TreeWalk _holds;
    private readonly TreeWalk _count;

    private VehicleCountModel(TreeWalk holds, TreeWalk count, double threshold, string version, string sha256)
    {
        _holds = holds;
        _count = count;
        Threshold = threshold;
        Version = version;
        Sha256 = sha256;
    }

    /// <summary>The model embedded in this assembly (<see cref="ShippedVersion"/>), loaded at first use.</summary>
    public static VehicleCountModel Shipped => LazyShipped.Value;

    /// <summary>Model version (its folder under ml-models/models).</summary>
    public string Version { get; }

    /// <summary>SHA-256 (hex) of the two model zips and the manifest's canonical text, as recorded in model.json.</summary>
    public string Sha256 { get; }

    /// <summary>Least raw score of the "holds a vehicle" ensemble at which a candidate counts.</summary>
    public double Threshold { get; }

    /// <summary>Vehicles a candidate blob holds: 0 when the first ensemble scores it under <see cref="Threshold"/>, else the second's count, at least 1.</summary>
    internal float Objects(ReadOnlySpan<float> features) =>
        _holds.Score(features) < Threshold ? 0f : (float)Math.Max(1, _count.Score(features));

    /// <summary>Reads a model folder written by <c>train-counter</c>: model.json, holds.zip and count.zip.</summary>
    /// <exception cref="InvalidDataException">The manifest is missing fields, names other features, or its SHA-256 does not match the files.</exception>
    public static VehicleCountModel Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return Load(
            File.ReadAllBytes(Path.Combine(directory, "model.json")),
            File.ReadAllBytes(Path.Combine(directory, HoldsFile)),
            File.ReadAllBytes(Path.Combine(directory, CountFile)));
    }

    /// <summary>The zip of the "holds a vehicle" ensemble in a model folder.</summary>
    public const string HoldsFile = "holds.zip";

    /// <summary>The zip of the count ensemble in a model folder.</summary>
    public const string CountFile = "count.zip";

    /// <summary>The SHA-256 recorded for a model: of the holds zip, the count zip and the threshold, in that order.</summary>
    public static string Hash(ReadOnlySpan<byte> holds, ReadOnlySpan<byte> count, double threshold)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(holds);
        sha.AppendData(count);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static VehicleCountModel Load(byte[] manifestBytes, byte[] holds, byte[] count)
    {
        var manifest = JsonSerializer.Deserialize<Manifest>(manifestBytes) ?? throw new InvalidDataException("Empty vehicle count manifest.");
        if (manifest.Version is null || manifest.Features is null || manifest.Sha256 is null)
        {
            throw new InvalidDataException("The vehicle count manifest needs version, features and sha256.");
        }

        if (!manifest.Features.SequenceEqual(ObjectCounter.CandidateFeatureNames))
        {
            throw new InvalidDataException($"Vehicle count model {manifest.Version} reads other features than this build computes.");
        }

        var sha = Hash(holds, count, manifest.Threshold);
        if (!string.Equals(sha, manifest.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Vehicle count model {manifest.Version}: SHA-256 {sha} does not match its manifest's {manifest.Sha256}.");
        }

        var context = new MLContext(1);
        using var holdsStream = new MemoryStream(holds);
        using var countStream = new MemoryStream(count);
        return new VehicleCountModel(
            TreeWalk.From(context.Model.Load(holdsStream, out _)),
            TreeWalk.From(context.Model.Load(countStream, out _)),
            manifest.Threshold,
            manifest.Version,
            sha);
    }

    /// <summary>A model from trained ML.NET transformers (the trainer's check before it writes them).</summary>
    internal static VehicleCountModel FromTransformers(ITransformer holds, ITransformer count, double threshold, string version) =>
        new(TreeWalk.From(holds), TreeWalk.From(count), threshold, version, string.Empty);

    private static VehicleCountModel LoadShipped()
    {
        var assembly = typeof(VehicleCountModel).Assembly;
        byte[] Read(string name)
        {
            using var stream = assembly.GetManifestResourceStream($"{ShippedVersion}/{name}")
                ?? throw new InvalidDataException($"The vehicle count model {ShippedVersion}/{name} is not embedded in {assembly.GetName().Name}.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }

        return Load(Read("model.json"), Read(HoldsFile), Read(CountFile));
    }

    /// <summary>model.json of a vehicle count model.</summary>
    public sealed record Manifest
    {
        /// <summary>Model version.</summary>
        [JsonPropertyName("version")]
        public string? Version { get; init; }

        /// <summary>Candidate features the ensembles read, in order (must equal this build's).</summary>
        [JsonPropertyName("features")]
        public string[]? Features { get; init; }

        /// <summary>Least raw score of the holds ensemble at which a candidate counts.</summary>
        [JsonPropertyName("threshold")]
        public double Threshold { get; init; }

        /// <summary>SHA-256 of the two zips and the threshold (<see cref="Hash"/>).</summary>
        [JsonPropertyName("sha256")]
        public string? Sha256 { get; init; }

        /// <summary>What the model was trained on, in words.</summary>
        [JsonPropertyName("trainedOn")]
        public string? TrainedOn { get; init; }
    }

    /// <summary>A FastTree ensemble's raw score (bias plus weighted leaves), walked one row at a time.</summary>
    private sealed class TreeWalk
    {
        private readonly int[][] _left;
        private readonly int[][] _right;
        private readonly int[][] _feature;
        private readonly float[][] _threshold;
        private readonly double[][] _leaf;
        private readonly double _bias;

        private TreeWalk(TreeEnsemble<RegressionTree> ensemble)
        {
            var trees = ensemble.Trees;
            _left = trees.Select(t => t.LeftChild.ToArray()).ToArray();
            _right = trees.Select(t => t.RightChild.ToArray()).ToArray();
            _feature = trees.Select(t => t.NumericalSplitFeatureIndexes.ToArray()).ToArray();
            _threshold = trees.Select(t => t.NumericalSplitThresholds.ToArray()).ToArray();
            _leaf = trees.Select((t, i) => t.LeafValues.Select(v => v * ensemble.TreeWeights[i]).ToArray()).ToArray();
            _bias = ensemble.Bias;
            if (trees.Any(t => t.CategoricalSplitFlags.Any(c => c)) || _feature.Any(f => f.Any(i => i >= ObjectCounter.CandidateFeatureCount)))
            {
                throw new InvalidDataException("The vehicle count ensemble has categorical splits or reads features this build does not compute.");
            }
        }

        public double Score(ReadOnlySpan<float> features)
        {
            var sum = _bias;
            for (var t = 0; t < _left.Length; t++)
            {
                var (left, right, feature, threshold) = (_left[t], _right[t], _feature[t], _threshold[t]);
                var node = left.Length == 0 ? -1 : 0;
                while (node >= 0)
                {
                    node = features[feature[node]] <= threshold[node] ? left[node] : right[node];
                }

                sum += _leaf[t][~node];
            }

            return sum;
        }

        /// <summary>The FastTree ensemble of a binary (calibrated or not) or regression model, trained or loaded from a zip.</summary>
        public static TreeWalk From(ITransformer transformer)
        {
            var candidates = transformer is IEnumerable<ITransformer> chain ? chain.Reverse() : [transformer];
            foreach (var candidate in candidates)
            {
                var model = candidate.GetType().GetProperty("Model", BindingFlags.Public | BindingFlags.Instance)?.GetValue(candidate);
                if (model is TreeEnsembleModelParameters trees)
                {
                    return new TreeWalk(Ensemble(trees));
                }

                // A calibrated binary model: its trees are the sub-model (typed by interfaces when loaded from a zip).
                var sub = model?.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.Name == "SubModel" && p.GetIndexParameters().Length == 0)
                    .Select(p => p.GetValue(model))
                    .FirstOrDefault(v => v is not null);
                if (sub is TreeEnsembleModelParameters subTrees)
                {
                    return new TreeWalk(Ensemble(subTrees));
                }
            }

            throw new InvalidDataException("The model holds no FastTree ensemble.");
        }

        private static TreeEnsemble<RegressionTree> Ensemble(TreeEnsembleModelParameters parameters) => parameters switch
        {
            FastTreeRegressionModelParameters r => r.TrainedTreeEnsemble,
            FastTreeBinaryModelParameters b => b.TrainedTreeEnsemble,
            _ => throw new InvalidDataException($"Unsupported tree model {parameters.GetType().Name}."),
        };
    }
}
