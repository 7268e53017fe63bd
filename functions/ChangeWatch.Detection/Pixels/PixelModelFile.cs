using System.Security.Cryptography;
using Microsoft.ML;

namespace ChangeWatch.Detection;

/// <summary>
/// Loads a pixel model folder (<c>model.zip</c> written by ML.NET, <c>model.json</c> with <see cref="ModelManifest.Kind"/>
/// = "pixel"), checks that the manifest's feature list is <see cref="PixelFeatures.Names"/> or its beginning (features are only appended), and returns the
/// <see cref="PixelChangeModel"/> with the manifest's threshold (and thresholds by resolution), stride and coarse-pass gate,
/// and its resolution experts (<see cref="ModelManifest.ResolutionExperts"/>: files beside model.zip, each checked
/// against its SHA-256 in the manifest).
/// </summary>
public static class PixelModelFile
{
    /// <summary>Loads the model in <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">model.zip or model.json is missing.</exception>
    /// <exception cref="InvalidDataException">Not a pixel model, or its feature list differs from the code's.</exception>
    public static PixelChangeModel Load(string folder) => Load(folder, out _, out _);

    /// <summary>
    /// Loads the model in <paramref name="folder"/> and returns its manifest and its SHA-256 (lowercase hex): of model.zip,
    /// or, with resolution experts, of model.zip followed by the experts' files in the manifest's order (each followed by
    /// "smoothing " and its smoothing's name when the manifest names one), followed by the object-evidence rule's text
    /// (<see cref="ObjectEvidence.Canonical"/>) when the manifest has one.
    /// </summary>
    public static PixelChangeModel Load(string folder, out ModelManifest manifest, out string sha256)
    {
        var zipPath = Path.Combine(folder, "model.zip");
        var jsonPath = Path.Combine(folder, "model.json");
        if (!File.Exists(zipPath) || !File.Exists(jsonPath))
        {
            throw new FileNotFoundException($"Pixel model folder {folder} must hold model.zip and model.json.", zipPath);
        }

        manifest = ModelManifest.Read(jsonPath);
        if (!string.Equals(manifest.Kind, ModelManifest.PixelKind, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{jsonPath} is not a pixel model (kind '{manifest.Kind ?? "tile"}').");
        }

        // Features are only ever appended, so a model trained before a feature was added reads a prefix of the planes.
        if (manifest.FeatureNames.Count > PixelFeatures.Count
            || !manifest.FeatureNames.SequenceEqual(PixelFeatures.Names.Take(manifest.FeatureNames.Count), StringComparer.Ordinal))
        {
            throw new InvalidDataException(
                $"{jsonPath} lists {manifest.FeatureNames.Count} pixel features that are not the first of the code's {PixelFeatures.Count}; retrain the model for this code version.");
        }

        var bytes = File.ReadAllBytes(zipPath);
        var experts = new List<PixelExpert>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(bytes);
        foreach (var entry in manifest.ResolutionExperts ?? [])
        {
            // The manifest names a file beside model.zip, never a path.
            if (string.IsNullOrWhiteSpace(entry.File) || !string.Equals(Path.GetFileName(entry.File), entry.File, StringComparison.Ordinal) || entry.File.Contains("..", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{jsonPath} names expert file '{entry.File}': a plain file name in the model's folder is required.");
            }

            var expertPath = Path.Combine(folder, entry.File);
            if (!File.Exists(expertPath))
            {
                throw new FileNotFoundException($"Pixel model folder {folder} lacks expert {entry.File} named in model.json.", expertPath);
            }

            var expertBytes = File.ReadAllBytes(expertPath);
            var expertSha = Convert.ToHexStringLower(SHA256.HashData(expertBytes));
            if (!string.Equals(expertSha, entry.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"{expertPath} has SHA-256 {expertSha}, model.json says {entry.Sha256}.");
            }

            hash.AppendData(expertBytes);
            ProbabilitySmoothing? smoothing = null;
            if (entry.Smoothing is { } named)
            {
                try
                {
                    smoothing = ProbabilitySmoothing.Parse(named);
                }
                catch (FormatException e)
                {
                    throw new InvalidDataException($"{jsonPath}: expert {entry.File}: {e.Message}", e);
                }

                // A smoothing named in the manifest changes what the model scores, so the hash covers it.
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"smoothing {smoothing.Name}"));
            }

            experts.Add(new PixelExpert(entry.MinGroundSampleDistance, entry.MaxGroundSampleDistance, LoadTrees(expertBytes), entry.Threshold, smoothing));
        }

        if (manifest.ObjectEvidence is { } evidence)
        {
            if (evidence.MinArrivals < 1)
            {
                throw new InvalidDataException($"{jsonPath}: objectEvidence.minArrivals must be at least 1 (it is {evidence.MinArrivals}).");
            }

            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(evidence.Canonical));
        }

        // One hash for what scores: model.zip alone, or model.zip followed by the experts' files in the manifest's order
        // (with their smoothings where named, and the object-evidence rule, when the manifest has one).
        sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        return new PixelChangeModel(LoadTrees(bytes), manifest.Threshold, manifest.PixelStride ?? 1, manifest.PixelGate ?? 0)
        {
            ResolutionThresholds = manifest.ResolutionThresholds ?? [],
            Experts = experts,
            AdaptiveThreshold = manifest.AdaptiveThreshold ?? false,
        };
    }

    private static PixelTreeModel LoadTrees(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        var transformer = new MLContext(seed: 0).Model.Load(stream, out _);
        return PixelTreeModel.FromTransformer(transformer);
    }
}
