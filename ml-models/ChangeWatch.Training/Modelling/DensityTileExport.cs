using System.Globalization;
using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Evaluation;

namespace ChangeWatch.Training.Modelling;

/// <summary>
/// <c>export-count-tiles</c>: the density network's training data, the pipeline's own inputs. Each generated scene
/// (build-up, nuisance-only and mixed families of <see cref="CounterTraining"/>, at each GSD) is cut into pipeline tiles
/// and each tile pair prepared as the pipeline prepares it (<see cref="TilePairPreparation"/>); per scene one file
/// <c>&lt;family&gt;_&lt;index&gt;_&lt;gsd&gt;.tiles</c> (per tile: width and height as int32, then the before and the prepared
/// after image as <see cref="VehicleDensityNetwork.InputBytes"/>) and one <c>.txt</c> (first line the GSD; then per
/// vehicle: tile, x, y in tile pixels, present before (0/1), present after (0/1)). Deterministic.
/// </summary>
internal static class DensityTileExport
{
    public static int Run(string output, int buildUp, int nuisance, int mixed, IReadOnlyList<double> gsds, TextWriter log)
    {
        Directory.CreateDirectory(output);
        var jobs = CounterTraining.TrainingScenes(buildUp, nuisance, mixed, gsds);
        var vehicles = jobs.AsParallel().Select(j => Write(output, j)).Sum();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {jobs.Count} scenes ({vehicles} vehicle sightings in tile windows) to {output}"));
        return 0;
    }

    private static int Write(string output, CounterTraining.TrainingScene scene)
    {
        var (pair, gsd) = (scene.Generate(), scene.Gsd);
        var name = Path.Combine(output, string.Create(CultureInfo.InvariantCulture, $"{scene.Family}_{scene.Index:D3}_{gsd}"));
        var lines = new List<string> { gsd.ToString("R", CultureInfo.InvariantCulture) };
        using var file = File.Create(name + ".tiles");
        using var writer = new BinaryWriter(file);
        var t = 0;
        foreach (var tile in SyntheticTiling.Tiles(pair, SyntheticEvaluation.TileSize, SyntheticEvaluation.TileOverlap, gsd))
        {
            var prepared = TilePairPreparation.Prepare(tile.Before, tile.After);
            var bytes = new byte[3 * prepared.Before.Width * prepared.Before.Height];
            writer.Write(prepared.Before.Width);
            writer.Write(prepared.Before.Height);
            VehicleDensityNetwork.InputBytes(prepared.Before, bytes);
            writer.Write(bytes);
            VehicleDensityNetwork.InputBytes(prepared.After, bytes);
            writer.Write(bytes);
            foreach (var o in pair.Objects)
            {
                var (x, y) = (o.X - tile.Window.X, o.Y - tile.Window.Y);
                if (x >= 0 && y >= 0 && x < prepared.Before.Width && y < prepared.Before.Height)
                {
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"{t} {x:F2} {y:F2} {(o.Before ? 1 : 0)} {(o.After ? 1 : 0)}"));
                }
            }

            t++;
        }

        File.WriteAllLines(name + ".txt", lines);
        return lines.Count - 1;
    }
}
