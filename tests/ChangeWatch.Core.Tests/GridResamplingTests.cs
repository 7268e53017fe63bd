using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Tests;

public sealed class GridResamplingTests
{
    private static readonly GeoReference Grid10m = new(32636, new GeoTransform(500_000, 10, 0, 4_000_000, 0, -10));

    // A plane in map coordinates: bilinear interpolation reproduces it exactly.
    private static float Ground(double x, double y) => (float)((0.3 * (x - 500_000)) + (0.7 * (4_000_000 - y)));

    [Theory]
    [InlineData(5.0, 123.0, -47.0)]
    [InlineData(20.0, 35.0, -15.0)]
    [InlineData(7.3, 3.0, -8.0)]
    public void ReadWindow_OtherPixelSize_InterpolatesTheGroundAtGridPixelCentres(double pixel, double shiftX, double shiftY)
    {
        var sceneGeo = new GeoReference(32636, new GeoTransform(500_000 + shiftX, pixel, 0, 4_000_000 + shiftY, 0, -pixel));
        var (width, height) = ((int)(2000 / pixel), (int)(1500 / pixel));
        using var scene = new PlaneSource(sceneGeo, width, height, 2);
        var grid = new AoiGrid("a", 256, 32, Grid10m, 300, 300);
        var placement = grid.Place(width, height, sceneGeo);
        using var onGrid = new GridResampledSource(scene, sceneGeo, grid, placement);
        var window = new PixelWindow(0, 0, placement.Width, placement.Height);
        var values = new float[window.Width * window.Height * 2];

        onGrid.ReadWindow(window, values);

        var s = sceneGeo.Transform;
        var checkedPixels = 0;
        for (var y = 0; y < window.Height; y++)
        {
            for (var x = 0; x < window.Width; x++)
            {
                var (mx, my) = Grid10m.Transform.PixelToMap(placement.OffsetX + x + 0.5, placement.OffsetY + y + 0.5);
                var (sx, sy) = s.MapToPixel(mx, my);
                var value = values[(y * window.Width) + x];
                if (sx < -0.5 || sy < -0.5 || sx > width + 0.5 || sy > height + 0.5)
                {
                    Assert.True(float.IsNaN(value), $"({x},{y}) lies outside the scene but reads {value}");
                }
                else if (sx >= 0.5 && sy >= 0.5 && sx <= width - 0.5 && sy <= height - 0.5)
                {
                    Assert.Equal(Ground(mx, my), value, 0.01f);
                    Assert.Equal(Ground(mx, my) + 1000, values[(window.Width * window.Height) + (y * window.Width) + x], 0.01f);
                    checkedPixels++;
                }
            }
        }

        Assert.True(checkedPixels > 0.9 * 200 * 150, $"only {checkedPixels} pixels checked");
        Assert.Equal(grid.GeoReferenceAt(placement.OffsetX, placement.OffsetY), onGrid.Info.GeoReference);
    }

    [Fact]
    public void ReadWindow_NoDataNeighbour_IsLeftOutOfTheBlend()
    {
        var sceneGeo = new GeoReference(32636, new GeoTransform(500_000, 5, 0, 4_000_000, 0, -5));
        using var scene = new PlaneSource(sceneGeo, 40, 40, 1, noDataColumnsFrom: 20);
        var grid = new AoiGrid("a", 256, 32, Grid10m, 20, 20);
        var placement = grid.Place(40, 40, sceneGeo);
        using var onGrid = new GridResampledSource(scene, sceneGeo, grid, placement);
        var values = new float[20 * 20];

        onGrid.ReadWindow(new PixelWindow(0, 0, 20, 20), values);

        // Grid column 9's centre (95 m) falls between scene columns 18 and 19, both valid; column 10's (105 m) between 20 and 21, both no-data.
        Assert.False(float.IsNaN(values[(5 * 20) + 9]));
        Assert.True(float.IsNaN(values[(5 * 20) + 10]));
    }

    /// <summary>A scene whose band b holds Ground(pixel centre) + 1000·b; NaN outside and from a column on.</summary>
    private sealed class PlaneSource(GeoReference geo, int width, int height, int bands, int noDataColumnsFrom = int.MaxValue) : IRasterSource
    {
        public RasterInfo Info { get; } = new(width, height, bands, SampleFormat.Float32, RasterFormat.Tiff, geo, null);

        public void ReadWindow(PixelWindow window, Span<float> destination)
        {
            var plane = window.Width * window.Height;
            for (var b = 0; b < bands; b++)
            {
                for (var y = 0; y < window.Height; y++)
                {
                    for (var x = 0; x < window.Width; x++)
                    {
                        var (sx, sy) = (window.X + x, window.Y + y);
                        var inside = sx >= 0 && sy >= 0 && sx < width && sy < height && sx < noDataColumnsFrom;
                        var (mx, my) = geo.Transform.PixelToMap(sx + 0.5, sy + 0.5);
                        destination[(b * plane) + (y * window.Width) + x] = inside ? Ground(mx, my) + (1000 * b) : float.NaN;
                    }
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
