namespace ChangeWatch.Detection;

/// <summary>Connected components (8-connected) of a byte mask, with an explicit stack: no recursion, no allocation.</summary>
internal static class BlobCounter
{
    /// <summary>
    /// Counts components whose area lies in [<paramref name="minArea"/>, <paramref name="maxArea"/>] and, when
    /// <paramref name="compactOnly"/>, whose bounding box is at most 16 px a side and at least 25 % filled.
    /// Also returns the largest component's area. <paramref name="labels"/> and <paramref name="stack"/> are scratch of
    /// the mask's length; <paramref name="mask"/> is left unchanged.
    /// </summary>
    public static (int Count, int LargestArea) Count(
        ReadOnlySpan<byte> mask, int width, int height, int minArea, int maxArea, bool compactOnly, Span<int> labels, Span<int> stack)
    {
        labels[..mask.Length].Clear();
        var count = 0;
        var largest = 0;
        var label = 0;
        for (var start = 0; start < mask.Length; start++)
        {
            if (mask[start] == 0 || labels[start] != 0)
            {
                continue;
            }

            label++;
            var top = 0;
            stack[top++] = start;
            labels[start] = label;
            int area = 0, x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
            while (top > 0)
            {
                var p = stack[--top];
                area++;
                var py = p / width;
                var px = p - py * width;
                x0 = Math.Min(x0, px);
                x1 = Math.Max(x1, px);
                y0 = Math.Min(y0, py);
                y1 = Math.Max(y1, py);
                for (var dy = -1; dy <= 1; dy++)
                {
                    var ny = py + dy;
                    if ((uint)ny >= (uint)height)
                    {
                        continue;
                    }

                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var nx = px + dx;
                        if ((uint)nx >= (uint)width)
                        {
                            continue;
                        }

                        var q = ny * width + nx;
                        if (mask[q] != 0 && labels[q] == 0)
                        {
                            labels[q] = label;
                            stack[top++] = q;
                        }
                    }
                }
            }

            largest = Math.Max(largest, area);
            if (area < minArea || area > maxArea)
            {
                continue;
            }

            var bw = x1 - x0 + 1;
            var bh = y1 - y0 + 1;
            if (compactOnly && (bw > 16 || bh > 16 || area * 4 < bw * bh))
            {
                continue;
            }

            count++;
        }

        return (count, largest);
    }

    /// <summary>Clears the 8-connected components of <paramref name="mask"/> smaller than <paramref name="minArea"/> pixels; returns the pixels kept.</summary>
    public static int RemoveSmall(Span<byte> mask, int width, int height, int minArea, Span<int> stack, Span<int> members)
    {
        var kept = 0;
        for (var start = 0; start < mask.Length; start++)
        {
            if (mask[start] != 1)
            {
                continue;
            }

            // Visited pixels are marked 2 while their component is collected.
            var top = 0;
            var area = 0;
            stack[top++] = start;
            mask[start] = 2;
            while (top > 0)
            {
                var p = stack[--top];
                members[area++] = p;
                var py = p / width;
                var px = p - py * width;
                for (var dy = -1; dy <= 1; dy++)
                {
                    var ny = py + dy;
                    if ((uint)ny >= (uint)height)
                    {
                        continue;
                    }

                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var nx = px + dx;
                        if ((uint)nx < (uint)width && mask[ny * width + nx] == 1)
                        {
                            mask[ny * width + nx] = 2;
                            stack[top++] = ny * width + nx;
                        }
                    }
                }
            }

            var value = area >= minArea ? (byte)3 : (byte)0;
            kept += value == 3 ? area : 0;
            foreach (var p in members[..area])
            {
                mask[p] = value;
            }
        }

        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = mask[i] == 3 ? (byte)1 : (byte)0;
        }

        return kept;
    }

    /// <summary>Square dilation by <paramref name="radius"/> (separable max), into <paramref name="destination"/>.</summary>
    public static void Dilate(ReadOnlySpan<byte> mask, int width, int height, int radius, Span<byte> destination, Span<byte> scratch)
    {
        for (var y = 0; y < height; y++)
        {
            var row = mask.Slice(y * width, width);
            var dst = scratch.Slice(y * width, width);
            for (var x = 0; x < width; x++)
            {
                byte v = 0;
                for (var k = Math.Max(0, x - radius); k <= Math.Min(width - 1, x + radius) && v == 0; k++)
                {
                    v = row[k];
                }

                dst[x] = v;
            }
        }

        for (var y = 0; y < height; y++)
        {
            var dst = destination.Slice(y * width, width);
            for (var x = 0; x < width; x++)
            {
                byte v = 0;
                for (var k = Math.Max(0, y - radius); k <= Math.Min(height - 1, y + radius) && v == 0; k++)
                {
                    v = scratch[k * width + x];
                }

                dst[x] = v;
            }
        }
    }
}
