namespace ChangeWatch.Detection.Tests;

public sealed class ChangeMaskTests
{
    [Fact]
    public void Derive_QuietMapBelowFloor_GivesEmptyMask()
    {
        var map = new float[64 * 64];
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = (i % 7) * 0.12f;
        }

        var mask = ChangeMask.Derive(map, 64, 64);

        Assert.DoesNotContain((byte)1, mask);
    }

    [Fact]
    public void Derive_BlobAndSpeck_KeepsBlobDropsSpeck()
    {
        var map = new float[64 * 64];
        for (var y = 10; y < 20; y++)
        {
            for (var x = 10; x < 20; x++)
            {
                map[y * 64 + x] = 4f;
            }
        }

        map[50 * 64 + 50] = 6f;

        var mask = ChangeMask.Derive(map, 64, 64);

        Assert.Equal(100, mask.Count(v => v == 1));
        Assert.Equal(1, mask[15 * 64 + 15]);
        Assert.Equal(0, mask[50 * 64 + 50]);
    }
}
