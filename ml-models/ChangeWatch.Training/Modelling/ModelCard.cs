using System.Globalization;
using System.Text;
using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Evaluation;

namespace ChangeWatch.Training.Modelling;

/// <summary>Writes MODEL.md, the model card shipped beside every model.</summary>
internal static class ModelCard
{
    public static string Render(
        ModelManifest manifest, BinaryMetrics test, BinaryMetrics validation, BinaryMetrics baseline, double baselineThreshold,
        IReadOnlyList<(string Name, double Value)> groups, long modelBytes, TimeSpan trainingTime, double latencyMs)
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(c, $"# Change model {manifest.Version}");
        s.AppendLine();
        s.AppendLine("Tile-level binary model: does a tile pair (baseline \"before\", new scene \"after\") hold change of interest");
        s.AppendLine("(vehicles and equipment arriving or leaving, earthworks, construction)? Output: a calibrated probability;");
        s.AppendLine(c, $"a tile is flagged at probability >= **{manifest.Threshold.ToString(c)}**.");
        s.AppendLine();
        s.AppendLine("| item | value |");
        s.AppendLine("|---|---|");
        s.AppendLine(c, $"| version | {manifest.Version} |");
        s.AppendLine(c, $"| created | {manifest.Created:yyyy-MM-dd} by `{manifest.CreatedBy}` |");
        s.AppendLine(c, $"| algorithm | {manifest.Trainer?["name"]}: {manifest.Trainer?["trees"]} trees × {manifest.Trainer?["leaves"]} leaves, learning rate {manifest.Trainer?["learningRate"]}, at least {manifest.Trainer?["minExamplesPerLeaf"]} examples per leaf, one thread (deterministic) |");
        s.AppendLine(c, $"| model file | model.zip, {modelBytes / 1024.0:F0} KiB; its SHA-256 identifies the model in every tile result |");
        s.AppendLine(c, $"| training time | {trainingTime.TotalSeconds:F0} s on {Environment.ProcessorCount} cores (data generation and features included) |");
        s.AppendLine(c, $"| scoring cost | about {latencyMs:F0} ms per 256 px RGB tile pair on one core (features dominate) |");
        s.AppendLine(c, $"| threshold rule | {manifest.ThresholdRule} |");
        s.AppendLine();
        s.AppendLine("## Data");
        s.AppendLine();
        s.AppendLine("Synthetic only: tile pairs rendered by `functions/ChangeWatch.Synthetic`, which the project wrote; no third-party");
        s.AppendLine("imagery or labels, so no licence restrictions. Labels are exact (the generator knows what it placed).");
        s.AppendLine();
        s.AppendLine(c, $"- Splits by disjoint seed families: train seed {manifest.Seeds?["train"]} ({manifest.Pairs?["train"]} pairs), validation seed {manifest.Seeds?["validation"]} ({manifest.Pairs?["validation"]}, used for Platt calibration and the threshold), test seed {manifest.Seeds?["test"]} ({manifest.Pairs?["test"]}).");
        s.AppendLine("- Tiles 256, 288 or 320 px; RGB, 40 % with NIR. Landscape: smooth-noise terrain, fields with crop rows, roads, villages, trees.");
        s.AppendLine("- Positives (about half): object build-up 35 % (park, convoy or dispersed, 4-36 vehicles of 2-4 × 4-8 px with shadows),");
        s.AppendLine("  departure 20 %, earthworks 22.5 % (trenches with spoil berms, dug positions), construction 22.5 % (cleared ground, new footprint);");
        s.AppendLine(c, $"  pairs whose change rendered under {SyntheticDataset.MinChangedPixels} labelled pixels are dropped.");
        s.AppendLine("- Negatives (about half): nuisance-only pairs. Nuisances: gain and offset, per-band gain, seasonal vegetation shift, haze,");
        s.AppendLine("  blur, sensor noise, misregistration (mild: ≤ 0.6 px; strong: up to 2 px), fields changing crop state; 50 % of negatives are");
        s.AppendLine("  strong (hard negatives). Static vehicles on both dates appear in 40 % of negatives. Positives carry nuisances too.");
        s.AppendLine();
        s.AppendLine("## Features");
        s.AppendLine();
        s.AppendLine(c, $"{manifest.FeatureNames.Count} per tile pair, computed by `ChangeWatch.Detection.TilePairFeatures` after per-date, per-band");
        s.AppendLine("median/IQR normalisation: masked fraction; change-vector magnitude (plain and tolerant to ±1 px shifts: mean, std, quantiles,");
        s.AppendLine("fractions above 2 and 3); per-band difference quantiles; 5×5 and 15×15 local means of the magnitude; global and windowed");
        s.AppendLine("correlation; gradient-magnitude change; small compact dark/bright blob counts before and after, and blobs appearing or");
        s.AppendLine("disappearing; luminance and texture change; NDVI change (when NIR); connected change regions. Names in model.json, in order.");
        s.AppendLine();
        s.AppendLine("## Metrics (synthetic test set)");
        s.AppendLine();
        s.AppendLine("| set | pairs | positives | precision | recall | F1 | AUC | false-alarm rate (negatives flagged) | log loss | Brier |");
        s.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        Row(s, "validation (threshold chosen here)", validation);
        Row(s, "**test**", test);
        Row(s, $"test, baseline: Local5Max ≥ {baselineThreshold.ToString("F2", c)} (smoothed CVA peak)", baseline);
        s.AppendLine();
        s.AppendLine("Test set, by group, at the model threshold:");
        s.AppendLine();
        foreach (var (name, value) in groups)
        {
            s.AppendLine(c, $"- {name}: {value:F3}");
        }

        s.AppendLine();
        s.AppendLine("Change type: the trained type model named by `typeModel` in model.json (see its own card), added by hand after training;");
        s.AppendLine(c, $"without one, `ChangeTypeRule`: `object-build-up` when at least {ChangeTypeRule.MinObjects} compact blobs appear and");
        s.AppendLine("at least three times as many appear as vanish (+1), `object-departure` for the reverse, else `unclassified`.");
        s.AppendLine();
        s.AppendLine("## Known limits");
        s.AppendLine();
        s.AppendLine("- **Not yet validated on real imagery.** Every figure above is on synthetic pairs from the same generator the model was");
        s.AppendLine("  trained on; real scenes (other sensors, resolutions, terrain, seasons) will score lower. The real-data evaluation");
        s.AppendLine("  (SZTAKI, LEVIR, OSCD in ../shared/data, leave-one-site-out) comes with the model issue.");
        s.AppendLine("- No co-registration yet: the features tolerate about ±1 px; larger shifts raise false alarms. Shifts are reported as 0.");
        s.AppendLine("- No cloud or cloud-shadow mask; only NaN no-data is masked. Tiles with more than 50 % masked are not assessable.");
        s.AppendLine("- Pixel size assumed about 0.5-1 m (vehicles 2-4 × 4-8 px); at 10 m (Sentinel-2) vehicles are sub-pixel and only");
        s.AppendLine("  large earthworks and construction remain detectable.");
        s.AppendLine("- Without a `typeModel` the change type is a rule on blob counts; earthworks and construction then stay `unclassified`.");
        return s.ToString();
    }

    /// <summary>The card of a change-type model.</summary>
    public static string RenderTypes(
        ModelManifest manifest, MulticlassMetrics test, MulticlassMetrics syntheticTest, (string Version, MulticlassMetrics Metrics)? comparison,
        TypeStepCost cost, long modelBytes, TimeSpan trainingTime)
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(c, $"# Change-type model {manifest.Version}");
        s.AppendLine();
        s.AppendLine("Multiclass model: reads a flagged tile pair (baseline \"before\", new scene \"after\") as one of");
        s.AppendLine(c, $"{string.Join(", ", ChangeTypes.All.Select(t => $"`{t}`"))}. Loaded by the tile scorer when the tile model's");
        s.AppendLine(c, $"`model.json` names it (`\"typeModel\": \"{manifest.Version}\"`); without it types come from `ChangeTypeRule`.");
        s.AppendLine();
        s.AppendLine("| item | value |");
        s.AppendLine("|---|---|");
        s.AppendLine(c, $"| version | {manifest.Version} |");
        s.AppendLine(c, $"| created | {manifest.Created:yyyy-MM-dd} by `{manifest.CreatedBy}` |");
        s.AppendLine(c, $"| algorithm | {manifest.Trainer?["name"]}: {manifest.Trainer?["trees"]} trees × {manifest.Trainer?["leaves"]} leaves per class, learning rate {manifest.Trainer?["learningRate"]}, one thread (deterministic) |");
        s.AppendLine(c, $"| model file | model.zip, {modelBytes / 1024.0:F0} KiB, SHA-256 `{manifest.ModelSha256}` (also in model.json; the loader refuses a file with another hash) |");
        s.AppendLine(c, $"| training time | {trainingTime.TotalSeconds:F0} s on {Environment.ProcessorCount} cores (data generation, features and the measurements below included) |");
        s.AppendLine();
        s.AppendLine("## Data");
        s.AppendLine();
        s.AppendLine("Synthetic only (`functions/ChangeWatch.Synthetic`, written by the project: no licence restrictions); the types are exact.");
        s.AppendLine(c, $"Train seed family {manifest.Seeds?["train"]} ({manifest.Pairs?["train"]} pairs), card test family {manifest.Seeds?["test"]} ({manifest.Pairs?["test"]} pairs), and");
        s.AppendLine(c, $"the eval verb's synthetic type set, family {SyntheticSeeds.EvalTypes} ({syntheticTest.Count} pairs), which no training or tuning used. The");
        s.AppendLine("five types in equal shares (`TypeDataset`): build-up and departure (4-36 vehicles in a park, convoy or dispersed, drawn at");
        s.AppendLine("1 m ground sample distance), earthworks/construction (half each), all with no, mild or strong nuisances; vegetation/seasonal");
        s.AppendLine("(seasonal shift of 0.3-1 and/or 20-70 % of fields changing crop state, mild illumination); other (strong illumination,");
        s.AppendLine("per-band gain, haze, blur, noise, up to 2 px misregistration, no vegetation change). Static vehicles in 35 %. Each pair");
        s.AppendLine("goes through `TilePairPreparation` (co-registration, cloud masks) before its features, as the scorers hand flagged tiles");
        s.AppendLine("to the type model.");
        s.AppendLine();
        s.AppendLine("## Features");
        s.AppendLine();
        if (manifest.FeatureNames.Count == ChangeTypeFeatures.Count)
        {
            s.AppendLine(c, $"`ChangeTypeFeatures`, {manifest.FeatureNames.Count} values (names in model.json, in order): the tile model's {TilePairFeatures.Count} `TilePairFeatures`, then");
            s.AppendLine(c, $"{ChangeTypeFeatures.ExtraCount} extra type features computed from the prepared rasters (`ChangeTypeFeature`): signed change of local contrast,");
            s.AppendLine("texture and dark/bright objects over the changed pixels (objects arriving against leaving), the luminance, warmth (red − blue)");
            s.AppendLine("and excess-greenness change, and the shapes of the changed regions (vehicle-sized compact regions and their mean area,");
            s.AppendLine("share in large regions, elongation and fill of the largest, share in linear regions, spread over 8 × 8 blocks).");
            s.AppendLine("They were chosen by 4-fold cross-validation on seed family 1041 (`ChangeWatch.Training dump-types`), not on a test family.");
        }
        else
        {
            s.AppendLine(c, $"The tile model's {manifest.FeatureNames.Count} `TilePairFeatures` (names in model.json, in order).");
        }

        s.AppendLine();
        s.AppendLine(c, $"Cost of the type step, measured by the trainer: {cost}. The scorers already hold");
        s.AppendLine("the tile-pair features when the tile model is v1; the cascade (v3) computes them for flagged tiles only.");
        s.AppendLine();
        s.AppendLine("## Metrics");
        s.AppendLine();
        s.AppendLine(c, $"Synthetic test set of `bash ml-models/eval.sh --dataset synthetic` (family {SyntheticSeeds.EvalTypes}): macro-F1 **{syntheticTest.MacroF1:F3}**, accuracy {syntheticTest.Accuracy:F3} on {syntheticTest.Count} pairs (issue target 0.90).");
        s.AppendLine();
        s.Append(syntheticTest.ToMarkdown());
        if (comparison is { } earlier)
        {
            s.AppendLine();
            s.AppendLine(c, $"{earlier.Version} on the same pairs (same preparation): macro-F1 {earlier.Metrics.MacroF1:F3}, accuracy {earlier.Metrics.Accuracy:F3}.");
            s.AppendLine();
            s.Append(earlier.Metrics.ToMarkdown());
        }

        s.AppendLine();
        s.AppendLine(c, $"Card test family {manifest.Seeds?["test"]}: macro-F1 {test.MacroF1:F3}, accuracy {test.Accuracy:F3} on {test.Count} pairs.");
        s.AppendLine();
        s.Append(test.ToMarkdown());
        s.AppendLine();
        s.AppendLine("## Known limits");
        s.AppendLine();
        s.AppendLine("- Trained and measured on synthetic pairs only; real scenes will read less well (no real type labels in ../shared/data).");
        s.AppendLine("- `other` is the residual class (nuisance-only differences); a real change of a kind the generator does not draw");
        s.AppendLine("  (flooding, burn scars, new roads) may be read as any type.");
        s.AppendLine("- One type per tile: a tile holding both vehicles and earthworks gets one of the two.");
        s.AppendLine("- The remaining confusions are mostly dug pits read as vehicles arriving and heavy haze or misregistration (see the");
        s.AppendLine("  matrices); vehicles are drawn at 1 m, so other ground sample distances change their size in pixels.");
        return s.ToString();
    }

    private static void Row(StringBuilder s, string name, BinaryMetrics m) =>
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| {name} | {m.Count} | {m.Positives} | {m.Precision:F3} | {m.Recall:F3} | {m.F1:F3} | {m.Auc:F4} | {m.FalseAlarmRate:F3} | {Figure(m.LogLoss)} | {Figure(m.Brier)} |");

    private static string Figure(double value) => double.IsFinite(value) ? value.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
}
