namespace ChangeWatch.Detection.Tests;

public sealed class BlobCounterTests
{
    [Theory]
    [InlineData(77, 53, 2)]
    [InlineData(40, 9, 1)]
    [InlineData(5, 5, 3)]
    public void Dilate_RandomMask_IsNonzeroExactlyWhereTheSquareHoldsANonzeroPixel(int width, int height, int radius)
    {
        var random = new Random(width);
        var mask = Enumerable.Range(0, width * height).Select(_ => random.Next(12) == 0 ? (byte)1 : (byte)0).ToArray();
        var dilated = new byte[mask.Length];

        BlobCounter.Dilate(mask, width, height, radius, dilated, new byte[mask.Length]);

        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var any = false;
                for (var dy = -radius; dy <= radius; dy++)
                {
                    for (var dx = -radius; dx <= radius; dx++)
                    {
                        var (nx, ny) = (x + dx, y + dy);
                        any |= nx >= 0 && ny >= 0 && nx < width && ny < height && mask[ny * width + nx] != 0;
                    }
                }

                Assert.True(any == (dilated[y * width + x] != 0), $"pixel ({x}, {y})");
            }
        }
    }

    [Fact]
    public void Count_TwoCompactBlobsAndALine_CountsTheBlobsAndReportsTheLineAsLargest()
    {
        const int w = 40, h = 30;
        var mask = new byte[w * h];
        Fill(mask, w, 2, 2, 3, 3);
        Fill(mask, w, 20, 10, 4, 2);
        Fill(mask, w, 0, 25, 40, 1);
        var scratch = new int[w * h];

        var (count, largest) = BlobCounter.Count(mask, w, h, 4, 20, true, scratch, new int[w * h]);

        Assert.Equal(2, count);
        Assert.Equal(40, largest);
    }

    private static void Fill(byte[] mask, int w, int x0, int y0, int bw, int bh)
    {
        for (var y = y0; y < y0 + bh; y++)
        {
            for (var x = x0; x < x0 + bw; x++)
            {
                mask[y * w + x] = 1;
            }
        }
    }
}
