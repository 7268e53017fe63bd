using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Modelling;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Detection.Tests;

/// <summary>The scene pair's raster-level values sampled tile by tile (<see cref="PairRasterSampler"/>), as ingest samples them.</summary>
public sealed class PairRasterSamplerTests
{
    [Fact]
    public void Create_WithoutEitherDatesStatistics_IsNull()
    {
        var statistics = PairTiling.SceneStatistics(SyntheticPixelPairs.Generate(1)[0]);

        Assert.Null(PairRasterSampler.Create(statistics with { Before = null }, 1000, prepare: false));
        Assert.Null(PairRasterSampler.Create(statistics with { After = null }, 1000, prepare: false));
        Assert.Null(PairRasterSampler.Create(ScenePairStatistics.None, 1000, prepare: true));
        Assert.NotNull(PairRasterSampler.Create(statistics, 1000, prepare: false));
    }

    [Fact]
    public void Build_TilesInAnyOrderOrAtOnce_GiveTheSameValues()
    {
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var statistics = PairTiling.SceneStatistics(pair);
        var tiles = PairTiling.Tiles(pair.Width, pair.Height, 64).ToArray();

        PairRasterValues? Sample(IEnumerable<(PixelWindow Read, PixelWindow Core)> order, bool parallel)
        {
            var sampler = PairRasterSampler.Create(statistics, pair.PixelCount, prepare: false)!;
            void Add((PixelWindow Read, PixelWindow Core) t)
            {
                var (before, after) = PairTiling.Crop(pair, t.Read);
                sampler.Add(before, after, t.Read, t.Core);
            }

            if (parallel)
            {
                Parallel.ForEach(order, Add);
            }
            else
            {
                foreach (var t in order)
                {
                    Add(t);
                }
            }

            return sampler.Build();
        }

        var forward = Sample(tiles, parallel: false);
        Assert.NotNull(forward);
        Assert.Equal(forward, Sample(tiles.Reverse(), parallel: false));
        Assert.Equal(forward, Sample(tiles, parallel: true));
    }

    [Fact]
    public void Build_StatisticsOfAnotherBandCount_GivesNoValues()
    {
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var statistics = PairTiling.SceneStatistics(pair);
        var fewer = statistics with { Before = statistics.Before! with { Bands = [.. statistics.Before.Bands.Take(pair.Bands - 1)] } };
        var sampler = PairRasterSampler.Create(fewer, pair.PixelCount, prepare: false)!;
        var all = new PixelWindow(0, 0, pair.Width, pair.Height);
        var (before, after) = PairTiling.Crop(pair, all);

        sampler.Add(before, after, all, all);

        Assert.Null(sampler.Build());
    }

    [Fact]
    public void LatticeStep_KeepsTheSampleNearItsBound_WhateverThePixelsAnnounced()
    {
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var statistics = PairTiling.SceneStatistics(pair);
        var all = new PixelWindow(0, 0, pair.Width, pair.Height);
        var (before, after) = PairTiling.Crop(pair, all);

        var exact = PairRasterSampler.Create(statistics, pair.PixelCount, prepare: false)!;
        exact.Add(before, after, all, all);
        var sparse = PairRasterSampler.Create(statistics, 100L * pair.PixelCount, prepare: false)!;
        sparse.Add(before, after, all, all);

        Assert.Equal(2, exact.LatticeStep); // 512² px over 65 536 points
        Assert.InRange(exact.Count, PairRasterSampler.MaxSamples * 9 / 10, PairRasterSampler.MaxSamples);
        Assert.Equal(20, sparse.LatticeStep);
        Assert.InRange(sparse.Count, 1, PairRasterSampler.MaxSamples / 90);
    }

    [Fact]
    public void Prepare_CoRegistersEachTilePair_AsTheCascadeDoesBeforeScoring()
    {
        // The after date is the before date moved by (3, 2) px and nothing else: unprepared, the shift is change
        // everywhere there is structure; prepared, the tiles are co-registered first and the magnitude falls to a
        // fraction (what is left: the pixels shifted in from outside each tile, and no change).
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var shifted = pair with { After = Shift(pair.Before, pair, 3, 2) };
        var statistics = PairTiling.SceneStatistics(shifted);

        PairRasterValues Sample(bool prepare)
        {
            var sampler = PairRasterSampler.Create(statistics, shifted.PixelCount, prepare)!;
            foreach (var (read, core) in PairTiling.Tiles(shifted.Width, shifted.Height, 256))
            {
                var (before, after) = PairTiling.Crop(shifted, read);
                sampler.Add(before, after, read, core);
            }

            return sampler.Build()!;
        }

        var raw = Sample(prepare: false);
        var prepared = Sample(prepare: true);
        Assert.True(prepared.MagnitudeMedian < 0.25 * raw.MagnitudeMedian, $"prepared {prepared.MagnitudeMedian}, unprepared {raw.MagnitudeMedian}");
        Assert.True(prepared.MagnitudeP90 < 0.5 * raw.MagnitudeP90, $"prepared {prepared.MagnitudeP90}, unprepared {raw.MagnitudeP90}");
        Assert.Equal(raw.TextureMedian, prepared.TextureMedian, 0.05 * raw.TextureMedian); // the same ground, moved
    }

    // The image content moved right by dx and down by dy; pixels moved in from outside repeat the edge.
    private static float[] Shift(float[] data, ChangePair pair, int dx, int dy)
    {
        var moved = new float[data.Length];
        for (var b = 0; b < pair.Bands; b++)
        {
            for (var y = 0; y < pair.Height; y++)
            {
                for (var x = 0; x < pair.Width; x++)
                {
                    var (sx, sy) = (Math.Clamp(x - dx, 0, pair.Width - 1), Math.Clamp(y - dy, 0, pair.Height - 1));
                    moved[(b * pair.Height + y) * pair.Width + x] = data[(b * pair.Height + sy) * pair.Width + sx];
                }
            }
        }

        return moved;
    }
}
