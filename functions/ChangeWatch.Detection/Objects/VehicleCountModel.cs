using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChangeWatch.Core.Domain;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;

namespace ChangeWatch.Detection;

/// <summary>
/// The learned vehicle count of a tile pair (<see cref="ObjectCounter"/>), four ML.NET FastTree ensembles in two pairs.
/// The before image: over each candidate blob's features (<see cref="ObjectCounter.CandidateFeatureNames"/>), one
/// ensemble decides whether the blob holds a vehicle (raw score at least <see cref="Threshold"/>), one how many: it gives
/// vehicles per square metre, times the blob's area (feature 0 of both feature sets), at least one — a density, so a
/// park larger than any seen in training is counted by its area rather than capped at the largest count trees learned. The change between the dates: over each change blob's features (<see cref="ChangeObjectCounter.FeatureNames"/>),
/// the same two decisions for vehicles that arrived, asked of the blobs its <see cref="ArrivalGate"/> names; departures stay
/// with the rules. A model may count the before image by keypoints instead (<see cref="CountsKeypoints"/>, a fifth
/// ensemble), or by a small convolutional density network (<see cref="Density"/>, model.json <c>beforeUnit</c>
/// <c>density</c>; with <c>afterUnit</c> <c>density</c> the after image too, with <c>density-where-arrivals</c> the after
/// image of tiles where the change shows arrivals), trained by ml-models/density/train.py.
/// Trained by <c>train-counter</c> on generated scenes (ml-models/models/&lt;version&gt;/MODEL.md); the shipped model is
/// embedded in this assembly (<see cref="Shipped"/>). The ensembles are walked here, without ML.NET's row machinery.
/// Immutable and thread-safe.
/// </summary>
public sealed class VehicleCountModel
{
    /// <summary>Version of the model embedded in this assembly.</summary>
    public const string ShippedVersion = "objects-v4";

    private static readonly Lazy<VehicleCountModel> LazyShipped = new(LoadShipped);

    private readonly TreeWalk[] _walks;

    private readonly (double Slope, double Offset)? _keypointCalibration;

    private VehicleCountModel(TreeWalk[] walks, double threshold, ArrivalGate gate, (double Slope, double Offset)? keypointCalibration, bool gatesDepartures, string version, string sha256, string? accuracy, VehicleDensityNetwork? density = null, string? afterUnit = null)
    {
        _walks = walks;
        Density = density;
        CountsAfterByDensity = afterUnit == DensityUnit;
        CountsAfterByDensityWhereArrivals = afterUnit == DensityWhereArrivalsUnit;
        _keypointCalibration = keypointCalibration;
        GatesDepartures = gatesDepartures;
        ArrivalGate = gate;
        Threshold = threshold;
        Version = version;
        Sha256 = sha256;
        Accuracy = accuracy;
    }

    /// <summary>The model embedded in this assembly (<see cref="ShippedVersion"/>), loaded at first use.</summary>
    public static VehicleCountModel Shipped => LazyShipped.Value;

    /// <summary>Model version (its folder under ml-models/models).</summary>
    public string Version { get; }

    /// <summary>
    /// How well the model counts, measured on data it was not trained on, in words for a report's caveat (model.json's
    /// <c>accuracy</c>, recorded when the model is evaluated; null when not recorded).
    /// </summary>
    public string? Accuracy { get; }

    /// <summary>
    /// <paramref name="model"/> naming this model as the one that counts its tiles' vehicles (version, SHA-256, measured
    /// accuracy): every scorer that counts records it the same way.
    /// </summary>
    public ModelInfo CountingWith(ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model with { ObjectModelVersion = Version, ObjectModelSha256 = Sha256, ObjectModelAccuracy = Accuracy };
    }

    /// <summary>SHA-256 (hex) of the four model zips' entries, the threshold and the arrival gate (<see cref="Hash"/>), as recorded in model.json.</summary>
    public string Sha256 { get; }

    /// <summary>Least raw score of a "holds vehicles" ensemble at which a blob counts.</summary>
    public double Threshold { get; }

    /// <summary>Which change blobs the arrival ensembles are asked about (model.json's <c>arrivalGate</c>).</summary>
    public ArrivalGate ArrivalGate { get; }

    /// <summary>
    /// Whether vehicles read as left count only where the before image's candidates touching the change blob hold at
    /// least <see cref="ChangeObjectCounter.DepartureMinimumVehicles"/> by the candidate ensembles (model.json
    /// <c>departureGate</c> <c>before-candidates</c>): a departure is a vehicle the before count saw.
    /// </summary>
    public bool GatesDepartures { get; }

    /// <summary>model.json's <c>departureGate</c> for a model whose departures need the before count's candidates (<see cref="GatesDepartures"/>).</summary>
    public const string BeforeCandidatesGate = "before-candidates";

    /// <summary>
    /// Whether the before image is counted by keypoints (<see cref="VehicleKeypoints"/>, model.json <c>beforeUnit</c>
    /// <c>keypoints</c>): the sum of each keypoint's calibrated probability of being a vehicle, the candidate ensembles'
    /// count of its blob among its features. Otherwise by candidate blobs (<see cref="Objects"/>).
    /// </summary>
    public bool CountsKeypoints => _keypointCalibration is not null;

    /// <summary>
    /// The density network that counts the before image (model.json <c>beforeUnit</c> <c>density</c>, <see cref="DensityFile"/>):
    /// the sum of its density map over the tile's core; null when the model counts candidates or keypoints.
    /// </summary>
    internal VehicleDensityNetwork? Density { get; }

    /// <summary>
    /// Whether the after image is counted by <see cref="Density"/> too (model.json <c>afterUnit</c> <c>density</c>), each date
    /// on its own; otherwise after = before − left + arrived from the change between the dates.
    /// </summary>
    public bool CountsAfterByDensity { get; }

    /// <summary>
    /// Whether the after image is counted by <see cref="Density"/> in the tiles where the change shows vehicles arriving
    /// (model.json <c>afterUnit</c> <c>density-where-arrivals</c>): there after = the larger of before − left + arrived and
    /// the network's count of the after image; elsewhere before − left + arrived.
    /// </summary>
    public bool CountsAfterByDensityWhereArrivals { get; }

    /// <summary>Probability that a keypoint (<see cref="VehicleKeypoints.FeatureNames"/>) is a vehicle: the keypoint ensemble's raw score through its Platt calibration.</summary>
    internal double KeypointProbability(ReadOnlySpan<float> features)
    {
        var (slope, offset) = _keypointCalibration ?? throw new InvalidOperationException($"Vehicle count model {Version} has no keypoint ensemble.");
        return 1 / (1 + Math.Exp(slope * _walks[4].Score(features) + offset));
    }

    /// <summary>Vehicles a candidate blob holds: 0 when the first ensemble scores it under <see cref="Threshold"/>, else the second's density times the blob's area, at least 1.</summary>
    internal float Objects(ReadOnlySpan<float> features) => Hurdle(0, features);

    /// <summary>Vehicles that arrived in a change blob: as <see cref="Objects"/>, with the arrival ensembles over <see cref="ChangeObjectCounter.FeatureNames"/>.</summary>
    internal float Arrivals(ReadOnlySpan<float> features) => Hurdle(2, features);

    private float Hurdle(int first, ReadOnlySpan<float> features) =>
        _walks[first].Score(features) < Threshold ? 0f : (float)Math.Max(1, _walks[first + 1].Score(features) * features[0]);

    /// <summary>Reads a model folder written by <c>train-counter</c>: model.json and the four zips (<see cref="Files"/>).</summary>
    /// <exception cref="InvalidDataException">The manifest is missing fields, names other features, or its SHA-256 does not match the files.</exception>
    public static VehicleCountModel Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var keypoints = Path.Combine(directory, KeypointFile);
        var density = Path.Combine(directory, DensityFile);
        return Load(
            File.ReadAllBytes(Path.Combine(directory, "model.json")),
            Files.Select(f => File.ReadAllBytes(Path.Combine(directory, f))).Concat(File.Exists(keypoints) ? [File.ReadAllBytes(keypoints)] : []).ToArray(),
            File.Exists(density) ? File.ReadAllBytes(density) : null);
    }

    /// <summary>The keypoint ensemble's zip, in a model folder whose before image is counted by keypoints (after <see cref="Files"/>).</summary>
    public const string KeypointFile = "keypoints.zip";

    /// <summary>model.json's <c>beforeUnit</c> for a model counting the before image by keypoints.</summary>
    public const string KeypointsUnit = "keypoints";

    /// <summary>The density network's weights (<see cref="VehicleDensityNetwork"/>), in a model folder that counts by density.</summary>
    public const string DensityFile = "density.bin";

    /// <summary>model.json's <c>beforeUnit</c> (and <c>afterUnit</c>) for a model counting by the density network.</summary>
    public const string DensityUnit = "density";

    /// <summary>model.json's <c>afterUnit</c> for a model counting the after image by the density network where the change shows arrivals (<see cref="CountsAfterByDensityWhereArrivals"/>).</summary>
    public const string DensityWhereArrivalsUnit = "density-where-arrivals";

    /// <summary>
    /// The ensembles' zips in a model folder, in order: whether a before-image candidate holds a vehicle, how many; whether
    /// a change blob holds arriving vehicles, how many.
    /// </summary>
    public static IReadOnlyList<string> Files { get; } = ["holds.zip", "count.zip", "arrivals-holds.zip", "arrivals-count.zip"];

    /// <summary>
    /// The SHA-256 recorded for a model: of each zip's entries (in <see cref="Files"/> order) (names and contents, in name
    /// order: a zip's own timestamps change with every save), the threshold, the arrival gate's name unless it is
    /// <see cref="ArrivalGate.Direction"/> (the gate of objects-v1, whose hash predates the field), the keypoint
    /// ensemble's calibration when the model counts by keypoints (its zip last among the zips) and the departure gate
    /// when it has one, in that order: a model without the later fields keeps the hash it was shipped with.
    /// </summary>
    public static string Hash(IReadOnlyList<byte[]> zips, double threshold, ArrivalGate gate = ArrivalGate.Direction, (double Slope, double Offset)? keypointCalibration = null, bool gatesDepartures = false, DensityPart? density = null)
    {
        ArgumentNullException.ThrowIfNull(zips);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var zip in zips)
        {
            using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
            foreach (var entry in archive.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                sha.AppendData(System.Text.Encoding.UTF8.GetBytes(entry.FullName + "\n"));
                using var content = entry.Open();
                using var copy = new MemoryStream();
                content.CopyTo(copy);
                sha.AppendData(BitConverter.GetBytes(copy.Length));
                sha.AppendData(copy.ToArray());
            }
        }

        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        if (gate != ArrivalGate.Direction)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes("\n" + ArrivalGates.Name(gate)));
        }

        if (keypointCalibration is { } k)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(FormattableString.Invariant($"\nkeypoints {k.Slope:R} {k.Offset:R}")));
        }

        if (gatesDepartures)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes("\ndepartures " + BeforeCandidatesGate));
        }

        if (density is { } d)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"\ndensity {string.Join(';', d.Layers)}{d.AfterUnit switch { null => string.Empty, DensityUnit => " after", var u => " after " + u }}\n"));
            sha.AppendData(BitConverter.GetBytes((long)d.Weights.Length));
            sha.AppendData(d.Weights);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The density network's part of a model's SHA-256: its layers, its weights' bytes and how the after image is counted (model.json <c>afterUnit</c>, null: by the change).</summary>
    public sealed record DensityPart(IReadOnlyList<string> Layers, byte[] Weights, string? AfterUnit);

    private static VehicleCountModel Load(byte[] manifestBytes, byte[][] zips, byte[]? densityWeights)
    {
        var manifest = JsonSerializer.Deserialize<Manifest>(manifestBytes) ?? throw new InvalidDataException("Empty vehicle count manifest.");
        if (manifest.Version is null || manifest.Features is null || manifest.Sha256 is null)
        {
            throw new InvalidDataException("The vehicle count manifest needs version, features and sha256.");
        }

        if (!manifest.Features.SequenceEqual(ObjectCounter.CandidateFeatureNames) || manifest.ChangeFeatures is null || !manifest.ChangeFeatures.SequenceEqual(ChangeObjectCounter.FeatureNames))
        {
            throw new InvalidDataException($"Vehicle count model {manifest.Version} reads other features than this build computes.");
        }

        var gate = ArrivalGates.Parse(manifest.ArrivalGate ?? ArrivalGates.Name(ArrivalGate.Direction));
        (double, double)? calibration = null;
        if (manifest.BeforeUnit == KeypointsUnit)
        {
            if (manifest.KeypointFeatures is null || !manifest.KeypointFeatures.SequenceEqual(VehicleKeypoints.FeatureNames) || manifest.KeypointCalibration is not { Length: 2 } platt || zips.Length != Files.Count + 1)
            {
                throw new InvalidDataException($"Vehicle count model {manifest.Version} counts by keypoints but lacks this build's keypoint features, its calibration or {KeypointFile}.");
            }

            calibration = (platt[0], platt[1]);
        }
        else if (manifest.BeforeUnit == DensityUnit)
        {
            if (manifest.DensityLayers is not { Length: > 0 } || densityWeights is null || zips.Length != Files.Count)
            {
                throw new InvalidDataException($"Vehicle count model {manifest.Version} counts by density but lacks its layers or {DensityFile}.");
            }
        }
        else if (manifest.BeforeUnit is not null)
        {
            throw new InvalidDataException($"Vehicle count model {manifest.Version}: unknown before unit '{manifest.BeforeUnit}'.");
        }
        else if (zips.Length != Files.Count)
        {
            throw new InvalidDataException($"Vehicle count model {manifest.Version} holds {KeypointFile} but its manifest names no before unit.");
        }

        var gatesDepartures = manifest.DepartureGate switch
        {
            null => false,
            BeforeCandidatesGate => true,
            var other => throw new InvalidDataException($"Vehicle count model {manifest.Version}: unknown departure gate '{other}'."),
        };
        if (manifest.AfterUnit is not null && (manifest.AfterUnit is not (DensityUnit or DensityWhereArrivalsUnit) || manifest.BeforeUnit != DensityUnit))
        {
            throw new InvalidDataException($"Vehicle count model {manifest.Version}: after unit '{manifest.AfterUnit}' needs before unit '{DensityUnit}' and must be '{DensityUnit}' or '{DensityWhereArrivalsUnit}'.");
        }

        if (densityWeights is not null && manifest.BeforeUnit != DensityUnit)
        {
            throw new InvalidDataException($"Vehicle count model {manifest.Version} holds {DensityFile} but its manifest's before unit is not '{DensityUnit}'.");
        }

        var densityPart = manifest.BeforeUnit == DensityUnit ? new DensityPart(manifest.DensityLayers!, densityWeights!, manifest.AfterUnit) : null;
        var sha = Hash(zips, manifest.Threshold, gate, calibration, gatesDepartures, densityPart);
        if (!string.Equals(sha, manifest.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Vehicle count model {manifest.Version}: SHA-256 {sha} does not match its manifest's {manifest.Sha256}.");
        }

        var context = new MLContext(1);
        var walks = zips.Select((zip, i) =>
        {
            using var stream = new MemoryStream(zip);
            return TreeWalk.From(context.Model.Load(stream, out _), i < 2 ? ObjectCounter.CandidateFeatureCount : i < 4 ? ChangeObjectCounter.FeatureCount : VehicleKeypoints.FeatureCount);
        }).ToArray();
        var network = densityPart is null ? null : VehicleDensityNetwork.Create(densityPart.Layers, densityPart.Weights);
        return new VehicleCountModel(walks, manifest.Threshold, gate, calibration, gatesDepartures, manifest.Version, sha, manifest.Accuracy, network, manifest.AfterUnit);
    }

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

        var manifest = Read("model.json");
        var unit = JsonSerializer.Deserialize<Manifest>(manifest)?.BeforeUnit;
        return Load(manifest, Files.Select(Read).Concat(unit == KeypointsUnit ? [Read(KeypointFile)] : []).ToArray(), unit == DensityUnit ? Read(DensityFile) : null);
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

        /// <summary>Change-blob features the arrival ensembles read, in order (must equal this build's).</summary>
        [JsonPropertyName("changeFeatures")]
        public string[]? ChangeFeatures { get; init; }

        /// <summary>Least raw score of a holds ensemble at which a blob counts.</summary>
        [JsonPropertyName("threshold")]
        public double Threshold { get; init; }

        /// <summary>
        /// Which change blobs the arrival ensembles are asked about: <c>direction</c> or <c>direction-or-mixed</c>
        /// (<see cref="ArrivalGates"/>); absent means <c>direction</c> (objects-v1 predates the field).
        /// </summary>
        [JsonPropertyName("arrivalGate")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? ArrivalGate { get; init; }

        /// <summary>Which vehicles read as left count: absent (every one the rules count) or <c>before-candidates</c> (<see cref="GatesDepartures"/>).</summary>
        [JsonPropertyName("departureGate")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? DepartureGate { get; init; }

        /// <summary>What the after image is counted by: absent (before − left + arrived) or <c>density</c> (needs before unit <c>density</c>).</summary>
        [JsonPropertyName("afterUnit")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? AfterUnit { get; init; }

        /// <summary>The density network's layers (<see cref="VehicleDensityNetwork"/>), when counting by density.</summary>
        [JsonPropertyName("densityLayers")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string[]? DensityLayers { get; init; }

        /// <summary>What the before image is counted by: absent (candidate blobs), <c>keypoints</c> or <c>density</c>.</summary>
        [JsonPropertyName("beforeUnit")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? BeforeUnit { get; init; }

        /// <summary>Keypoint features the keypoint ensemble reads (<see cref="VehicleKeypoints.FeatureNames"/>), when counting by keypoints.</summary>
        [JsonPropertyName("keypointFeatures")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string[]? KeypointFeatures { get; init; }

        /// <summary>Platt calibration of the keypoint ensemble's raw score s: p = 1 / (1 + exp(slope × s + offset)); [slope, offset].</summary>
        [JsonPropertyName("keypointCalibration")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public double[]? KeypointCalibration { get; init; }

        /// <summary>SHA-256 of the four zips, the threshold and the arrival gate (<see cref="Hash"/>).</summary>
        [JsonPropertyName("sha256")]
        public string? Sha256 { get; init; }

        /// <summary>What the model was trained on, in words.</summary>
        [JsonPropertyName("trainedOn")]
        public string? TrainedOn { get; init; }

        /// <summary>
        /// How well it counts on data it was not trained on, in words (a report's caveat quotes it). Not written by
        /// <c>train-counter</c>, which never sees the test scenes: recorded after the model is evaluated on them. Not part
        /// of the SHA-256, which covers what decides the counts.
        /// </summary>
        [JsonPropertyName("accuracy")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? Accuracy { get; init; }
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

        private TreeWalk(TreeEnsemble<RegressionTree> ensemble, int featureCount)
        {
            var trees = ensemble.Trees;
            _left = trees.Select(t => t.LeftChild.ToArray()).ToArray();
            _right = trees.Select(t => t.RightChild.ToArray()).ToArray();
            _feature = trees.Select(t => t.NumericalSplitFeatureIndexes.ToArray()).ToArray();
            _threshold = trees.Select(t => t.NumericalSplitThresholds.ToArray()).ToArray();
            _leaf = trees.Select((t, i) => t.LeafValues.Select(v => v * ensemble.TreeWeights[i]).ToArray()).ToArray();
            _bias = ensemble.Bias;
            if (trees.Any(t => t.CategoricalSplitFlags.Any(c => c)) || _feature.Any(f => f.Any(i => i >= featureCount)))
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
        public static TreeWalk From(ITransformer transformer, int featureCount)
        {
            var candidates = transformer is IEnumerable<ITransformer> chain ? chain.Reverse() : [transformer];
            foreach (var candidate in candidates)
            {
                var model = candidate.GetType().GetProperty("Model", BindingFlags.Public | BindingFlags.Instance)?.GetValue(candidate);
                if (model is TreeEnsembleModelParameters trees)
                {
                    return new TreeWalk(Ensemble(trees), featureCount);
                }

                // A calibrated binary model: its trees are the sub-model (typed by interfaces when loaded from a zip).
                var sub = model?.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.Name == "SubModel" && p.GetIndexParameters().Length == 0)
                    .Select(p => p.GetValue(model))
                    .FirstOrDefault(v => v is not null);
                if (sub is TreeEnsembleModelParameters subTrees)
                {
                    return new TreeWalk(Ensemble(subTrees), featureCount);
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
