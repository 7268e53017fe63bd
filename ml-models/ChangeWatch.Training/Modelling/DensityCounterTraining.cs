using System.Text.Json;
using ChangeWatch.Detection;

namespace ChangeWatch.Training.Modelling;

/// <summary>
/// <c>train-counter --before-unit density</c>: a count model whose before image (and, with <c>--after-unit density</c> or <c>density-where-arrivals</c>,
/// its after image) is counted by a <see cref="VehicleDensityNetwork"/> trained by <c>ml-models/density/train.py</c>
/// (its weights and layers in the folder given by <c>--density</c>); the base model's candidate and arrival ensembles
/// are copied (they serve the departure gate and the arrival pixels of the chips).
/// </summary>
internal static class DensityCounterTraining
{
    /// <summary>The layers file train.py writes beside <see cref="VehicleCountModel.DensityFile"/>.</summary>
    public const string LayersFile = "layers.json";

    /// <summary>Writes the model folder <paramref name="output"/> (model.json with its SHA-256 and the files) and loads it back.</summary>
    public static int Run(string output, string version, string baseDirectory, string densityDirectory, string? afterUnit, TextWriter log)
    {
        var baseManifest = JsonSerializer.Deserialize<VehicleCountModel.Manifest>(File.ReadAllBytes(Path.Combine(baseDirectory, "model.json")))
            ?? throw new InvalidDataException($"{baseDirectory}/model.json is empty.");
        var layers = JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(densityDirectory, LayersFile)))
            ?? throw new InvalidDataException($"{densityDirectory}/{LayersFile} is empty.");
        var weights = File.ReadAllBytes(Path.Combine(densityDirectory, VehicleCountModel.DensityFile));
        VehicleDensityNetwork.Create(layers, weights);
        var trainedOn = File.Exists(Path.Combine(densityDirectory, "trained-on.txt")) ? File.ReadAllText(Path.Combine(densityDirectory, "trained-on.txt")).Trim() : "not recorded";

        var zips = VehicleCountModel.Files.Select(f => File.ReadAllBytes(Path.Combine(baseDirectory, f))).ToList();
        var gate = ArrivalGates.Parse(baseManifest.ArrivalGate ?? "direction");
        var gatesDepartures = baseManifest.DepartureGate == VehicleCountModel.BeforeCandidatesGate;
        var manifest = new VehicleCountModel.Manifest
        {
            Version = version,
            Features = baseManifest.Features,
            ChangeFeatures = baseManifest.ChangeFeatures,
            Threshold = baseManifest.Threshold,
            ArrivalGate = baseManifest.ArrivalGate,
            DepartureGate = baseManifest.DepartureGate,
            BeforeUnit = VehicleCountModel.DensityUnit,
            AfterUnit = afterUnit,
            DensityLayers = layers,
            Sha256 = VehicleCountModel.Hash(zips, baseManifest.Threshold, gate, null, gatesDepartures, new VehicleCountModel.DensityPart(layers, weights, afterUnit)),
            TrainedOn = $"candidate and arrival ensembles: {baseManifest.Version}; density network: {trainedOn}",
        };
        Directory.CreateDirectory(output);
        for (var i = 0; i < VehicleCountModel.Files.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(output, VehicleCountModel.Files[i]), zips[i]);
        }

        File.WriteAllBytes(Path.Combine(output, VehicleCountModel.DensityFile), weights);
        File.WriteAllText(Path.Combine(output, "model.json"), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        VehicleCountModel.Load(output);
        log.WriteLine($"wrote {output} (SHA-256 {manifest.Sha256})");
        return 0;
    }
}
