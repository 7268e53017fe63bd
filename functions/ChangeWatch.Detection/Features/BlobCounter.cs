using System.Numerics;
using System.Runtime.InteropServices;

namespace ChangeWatch.Detection;

/// <summary>Connected components (8-connected) of a byte mask, with an explicit stack: no recursion, no allocation.</summary>
internal static class BlobCounter
{
    /// <summary>
    /// Counts components whose area lies in [<paramref name="minArea"/>, <paramref name="maxArea"/>] and, when
    /// <paramref name="compactOnly"/>, whose bounding box is at most 16 px a side and at least 25 % filled.
    /// Also returns the largest component's area. <paramref name="labels"/> and <paramref name="stack"/> are scratch of
    /// the mask's length; <paramref name="mask"/> is left unchanged. Runs of zeros are skipped with a vector search.
    /// </summary>
    public static (int Count, int LargestArea) Count(
        ReadOnlySpan<byte> mask, int width, int height, int minArea, int maxArea, bool compactOnly, Span<int> labels, Span<int> stack)
    {
        // Only whether a pixel was reached matters: one byte each, in the labels scratch (a quarter of it to clear).
        var visited = MemoryMarshal.AsBytes(labels)[..mask.Length];
        visited.Clear();
        var count = 0;
        var largest = 0;
        for (var start = 0; start < mask.Length; start++)
        {
            var next = mask[start..].IndexOfAnyExcept((byte)0);
            if (next < 0)
            {
                break;
            }

            start += next;
            if (visited[start] != 0)
            {
                continue;
            }

            var top = 0;
            stack[top++] = start;
            visited[start] = 1;
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
                        if (mask[q] != 0 && visited[q] == 0)
                        {
                            visited[q] = 1;
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

            var area = Collect(mask, width, height, start, 1, 2, stack, members);
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

    /// <summary>
    /// Walks the 8-connected component of pixels equal to <paramref name="from"/> that holds <paramref name="start"/>,
    /// sets each to <paramref name="to"/> (≠ <paramref name="from"/>) and writes their indices to <paramref name="members"/>
    /// (in walk order; only the first <paramref name="members"/>.Length are kept). Returns the component's area.
    /// <paramref name="stack"/> needs the mask's length.
    /// </summary>
    public static int Collect(Span<byte> mask, int width, int height, int start, byte from, byte to, Span<int> stack, Span<int> members)
    {
        var top = 0;
        var area = 0;
        stack[top++] = start;
        mask[start] = to;
        while (top > 0)
        {
            var p = stack[--top];
            if (area < members.Length)
            {
                members[area] = p;
            }

            area++;
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
                    if ((uint)nx < (uint)width && mask[ny * width + nx] == from)
                    {
                        mask[ny * width + nx] = to;
                        stack[top++] = ny * width + nx;
                    }
                }
            }
        }

        return area;
    }

    /// <summary>
    /// Square dilation by <paramref name="radius"/> into <paramref name="destination"/>: a pixel is nonzero where any pixel
    /// of the (2r+1)² square around it (clipped at the border) is nonzero (separable; the value is the OR of the window,
    /// so the maximum for a 0/1 mask). Whole rows are combined with vector operations.
    /// </summary>
    public static void Dilate(ReadOnlySpan<byte> mask, int width, int height, int radius, Span<byte> destination, Span<byte> scratch)
    {
        for (var y = 0; y < height; y++)
        {
            var row = mask.Slice(y * width, width);
            var dst = scratch.Slice(y * width, width);
            var x = 0;
            for (; x < Math.Min(radius, width); x++)
            {
                dst[x] = OrOf(row, Math.Max(0, x - radius), Math.Min(width - 1, x + radius));
            }

            // Inside: dst[x] = row[x − r] | … | row[x + r], a vector of columns at a time.
            var lanes = Vector<byte>.Count;
            for (; x + radius + lanes <= width; x += lanes)
            {
                var v = new Vector<byte>(row.Slice(x - radius, lanes));
                for (var k = -radius + 1; k <= radius; k++)
                {
                    v |= new Vector<byte>(row.Slice(x + k, lanes));
                }

                v.CopyTo(dst.Slice(x, lanes));
            }

            for (; x < width; x++)
            {
                dst[x] = OrOf(row, Math.Max(0, x - radius), Math.Min(width - 1, x + radius));
            }
        }

        for (var y = 0; y < height; y++)
        {
            var y0 = Math.Max(0, y - radius);
            var y1 = Math.Min(height - 1, y + radius);
            var dst = destination.Slice(y * width, width);
            scratch.Slice(y0 * width, width).CopyTo(dst);
            for (var k = y0 + 1; k <= y1; k++)
            {
                var src = scratch.Slice(k * width, width);
                var x = 0;
                var lanes = Vector<byte>.Count;
                for (; x + lanes <= width; x += lanes)
                {
                    (new Vector<byte>(dst.Slice(x, lanes)) | new Vector<byte>(src.Slice(x, lanes))).CopyTo(dst.Slice(x, lanes));
                }

                for (; x < width; x++)
                {
                    dst[x] |= src[x];
                }
            }
        }

        static byte OrOf(ReadOnlySpan<byte> row, int from, int to)
        {
            byte v = 0;
            for (var k = from; k <= to; k++)
            {
                v |= row[k];
            }

            return v;
        }
    }
}
