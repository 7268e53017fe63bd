using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// A small fully convolutional network that maps one image to a vehicle density map at a quarter of its resolution: the
/// sum of the map over an area is the number of vehicles whose centres lie in it. Layers (model.json <c>densityLayers</c>):
/// <c>conv I O D</c> (3 × 3 convolution from I to O channels, dilation D, zero padding D, batch normalisation folded into
/// its weights, then leaky ReLU with slope <see cref="LeakySlope"/>), <c>pool</c> (2 × 2 max pooling) and one final
/// <c>out I</c> (1 × 1 convolution to the density). The input is four planes: R, G and B scaled so the image's mean
/// brightness is 120 (<see cref="ObjectCounter.BrightnessScale"/>), rounded and clamped to 0-255, over 255 (no data 0), and
/// the ground sample distance in metres. Weights are little-endian float32, layer by layer, each layer's weights
/// [out][in][3][3] then its biases. The forward pass is plain C# (eight output channels at a time with fused
/// multiply-adds, their sums kept in <see cref="Vector{T}"/> registers over all input channels and taps),
/// thread-safe, with its planes rented from <see cref="ArrayPool{T}"/> (for the shipped layer sizes about 190 bytes per pixel:
/// two planes of the widest layer's channels and one zero-padded copy of a layer's input).
/// </summary>
internal sealed class VehicleDensityNetwork
{
    /// <summary>Slope of the leaky ReLU after each hidden convolution.</summary>
    public const float LeakySlope = 0.1f;

    /// <summary>Pixels per density cell along each axis.</summary>
    public const int Stride = 4;

    private readonly Layer[] _layers;

    private VehicleDensityNetwork(Layer[] layers) => _layers = layers;

    /// <summary>One layer: a 3 × 3 convolution (dilation ≥ 1), a 2 × 2 max pool (<see cref="Pool"/>) or the final 1 × 1 convolution (<see cref="Dilation"/> 0).</summary>
    private sealed record Layer(int In, int Out, int Dilation, bool Pool, float[] Weights, float[] Bias)
    {
        /// <summary>
        /// A 3 × 3 convolution's weights regrouped for <see cref="Convolve"/>'s eight output channels a pass
        /// ([block][input channel][tap][8]), the last block padded with zero weights; empty for a pool or the out layer.
        /// </summary>
        public float[] Interleaved { get; } = !Pool && Dilation > 0 ? Interleave(In, Out, Weights) : [];

        /// <summary>The biases, padded with zeros to the blocks of <see cref="Interleaved"/>.</summary>
        public float[] BlockBias { get; } = [.. Bias, .. new float[(8 - Bias.Length % 8) % 8]];

        private static float[] Interleave(int inputs, int outputs, float[] weights)
        {
            var interleaved = new float[(outputs + 7) / 8 * 8 * inputs * 9];
            for (var o = 0; o < outputs; o++)
            {
                for (var c = 0; c < inputs; c++)
                {
                    for (var t = 0; t < 9; t++)
                    {
                        interleaved[((o / 8 * inputs + c) * 9 + t) * 8 + o % 8] = weights[(o * inputs + c) * 9 + t];
                    }
                }
            }

            return interleaved;
        }
    }

    /// <summary>Input planes the network reads.</summary>
    public const int InputChannels = 4;

    /// <summary>
    /// Builds the network from its layer descriptions and weights; throws <see cref="InvalidDataException"/> when they
    /// disagree (channel counts that do not chain, a weight file of the wrong length, no final <c>out</c> layer).
    /// </summary>
    public static VehicleDensityNetwork Create(IReadOnlyList<string> layers, byte[] weights)
    {
        var parsed = new List<Layer>();
        var channels = InputChannels;
        var offset = 0;
        float[] Take(int count)
        {
            if (offset + 4 * count > weights.Length)
            {
                throw new InvalidDataException("The density network's weights are shorter than its layers need.");
            }

            var values = new float[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(weights.AsSpan(offset + 4 * i, 4));
            }

            offset += 4 * count;
            return values;
        }

        foreach (var text in layers)
        {
            var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int Number(int i) => parts.Length > i && int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new InvalidDataException($"Density layer '{text}' is not 'conv I O D', 'pool' or 'out I'.");
            if (parsed.Count > 0 && parsed[^1].Dilation == 0 && !parsed[^1].Pool)
            {
                throw new InvalidDataException("The density network's 'out' layer must be its last.");
            }

            switch (parts.FirstOrDefault())
            {
                case "conv" when parts.Length == 4:
                    var (i, o, d) = (Number(1), Number(2), Number(3));
                    if (i != channels)
                    {
                        throw new InvalidDataException($"Density layer '{text}' reads {i} channels; the layer before gives {channels}.");
                    }

                    parsed.Add(new Layer(i, o, d, false, Take(o * i * 9), Take(o)));
                    channels = o;
                    break;
                case "pool" when parts.Length == 1:
                    parsed.Add(new Layer(channels, channels, 1, true, [], []));
                    break;
                case "out" when parts.Length == 2:
                    if (Number(1) != channels)
                    {
                        throw new InvalidDataException($"Density layer '{text}' reads {Number(1)} channels; the layer before gives {channels}.");
                    }

                    parsed.Add(new Layer(channels, 1, 0, false, Take(channels), Take(1)));
                    break;
                default:
                    throw new InvalidDataException($"Density layer '{text}' is not 'conv I O D', 'pool' or 'out I'.");
            }
        }

        if (parsed.Count == 0 || parsed[^1].Dilation != 0 || parsed[^1].Pool || parsed.Count(l => l.Pool) != 2)
        {
            throw new InvalidDataException("The density network needs two 'pool' layers and ends with one 'out' layer.");
        }

        if (offset != weights.Length)
        {
            throw new InvalidDataException($"The density network's weights hold {weights.Length} bytes; its layers read {offset}.");
        }

        return new VehicleDensityNetwork([.. parsed]);
    }

    /// <summary>
    /// The density map of <paramref name="image"/> (R, G, B first; NaN = no data) at <paramref name="groundSampleDistance"/>:
    /// ⌊width / 4⌋ × ⌊height / 4⌋ cells, row by row; cell (i, j) covers pixels [4i, 4i + 4) × [4j, 4j + 4).
    /// </summary>
    public float[] Density(TileRaster image, double groundSampleDistance, out int cellsWide, out int cellsHigh)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rgb = ArrayPool<byte>.Shared.Rent(3 * image.Width * image.Height);
        try
        {
            InputBytes(image, rgb.AsSpan(0, 3 * image.Width * image.Height));
            return Density(rgb.AsSpan(0, 3 * image.Width * image.Height), image.Width, image.Height, groundSampleDistance, out cellsWide, out cellsHigh);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgb);
        }
    }

    /// <summary>The density map of an image given as the network's input bytes (<see cref="InputBytes"/>), as <see cref="Density(TileRaster, double, out int, out int)"/>.</summary>
    public float[] Density(ReadOnlySpan<byte> rgb, int width, int height, double groundSampleDistance, out int cellsWide, out int cellsHigh)
    {
        var (w, h) = (width, height);
        var n = w * h;
        if (rgb.Length != 3 * n || w < 4 || h < 4)
        {
            throw new ArgumentException("The input needs 3 bytes per pixel of an image at least 4 pixels wide and high.", nameof(rgb));
        }

        var (widest, paddedLength) = Scratch(w, h);
        var a = ArrayPool<float>.Shared.Rent(widest);
        var b = ArrayPool<float>.Shared.Rent(widest);
        var padded = ArrayPool<float>.Shared.Rent(paddedLength);
        try
        {
            for (var band = 0; band < 3; band++)
            {
                var plane = a.AsSpan(band * n, n);
                for (var p = 0; p < n; p++)
                {
                    plane[p] = rgb[3 * p + band] / 255f;
                }
            }

            a.AsSpan(3 * n, n).Fill((float)groundSampleDistance);
            var (src, dst) = (a, b);
            foreach (var layer in _layers)
            {
                if (layer.Pool)
                {
                    Pool(src, layer.In, w, h, dst);
                    (w, h) = (w / 2, h / 2);
                }
                else if (layer.Dilation == 0)
                {
                    Output(src, layer, w * h, dst);
                }
                else
                {
                    Convolve(src, layer, w, h, padded, dst);
                }

                (src, dst) = (dst, src);
            }

            (cellsWide, cellsHigh) = (w, h);
            return src.AsSpan(0, w * h).ToArray();
        }
        finally
        {
            ArrayPool<float>.Shared.Return(padded);
            ArrayPool<float>.Shared.Return(b);
            ArrayPool<float>.Shared.Return(a);
        }
    }

    /// <summary>
    /// The network's colour input as bytes, pixel by pixel (R, G, B interleaved, 3 bytes a pixel), as the trainer reads
    /// them: each band scaled so the image's mean brightness is 120, rounded and clamped to 0-255, no data 0.
    /// </summary>
    public static void InputBytes(TileRaster image, Span<byte> destination)
    {
        var n = image.Width * image.Height;
        if (destination.Length != 3 * n)
        {
            throw new ArgumentException("The input needs 3 bytes per pixel.", nameof(destination));
        }

        var scale = ObjectCounter.BrightnessScale(image);
        for (var band = 0; band < 3; band++)
        {
            var source = image.Band(band);
            for (var p = 0; p < n; p++)
            {
                destination[3 * p + band] = (byte)InputLevel(source[p], scale);
            }
        }
    }

    private static float InputLevel(float value, float scale) => float.IsFinite(value) ? MathF.Round(Math.Clamp(value * scale, 0f, 255f)) : 0f;

    /// <summary>
    /// Vehicles whose centres lie in <paramref name="core"/> by the density map of <paramref name="image"/>: the sum of the
    /// cells whose centres lie in it, at least 0 (the map's values may dip below 0 on bare ground).
    /// </summary>
    public double Count(TileRaster image, double groundSampleDistance, PixelWindow core)
    {
        var density = Density(image, groundSampleDistance, out var cw, out var ch);
        double sum = 0;
        for (var j = 0; j < ch; j++)
        {
            var cy = j * Stride + Stride / 2;
            if (cy < core.Y || cy >= core.Y + core.Height)
            {
                continue;
            }

            for (var i = 0; i < cw; i++)
            {
                var cx = i * Stride + Stride / 2;
                if (cx >= core.X && cx < core.X + core.Width)
                {
                    sum += density[j * cw + i];
                }
            }
        }

        return Math.Max(0, sum);
    }

    /// <summary>Floats of the two ping-pong planes and of the padded input the forward pass needs for a <paramref name="w"/> × <paramref name="h"/> image.</summary>
    private (int Planes, int Padded) Scratch(int w, int h)
    {
        var (planes, padded) = (InputChannels * w * h, 0);
        foreach (var layer in _layers)
        {
            if (layer.Pool)
            {
                (w, h) = (w / 2, h / 2);
            }
            else if (layer.Dilation > 0)
            {
                padded = Math.Max(padded, layer.In * (w + 2 * layer.Dilation) * (h + 2 * layer.Dilation));
            }

            planes = Math.Max(planes, layer.Out * w * h);
        }

        return (planes, padded);
    }

    /// <summary>
    /// A 3 × 3 convolution with zero padding and leaky ReLU: eight output channels a pass over one vector of pixels, eight
    /// sums in registers over every input channel and tap, each input vector loaded once for eight fused multiply-adds
    /// whose weights are read in order (<see cref="Layer.Interleaved"/>; a last block of fewer channels computes zeros for
    /// the missing ones and stores only its own).
    /// </summary>
    private static void Convolve(float[] source, Layer layer, int w, int h, float[] padded, float[] destination)
    {
        var d = layer.Dilation;
        var pw = w + 2 * d;
        var plane = pw * (h + 2 * d);
        padded.AsSpan(0, layer.In * plane).Clear();
        for (var c = 0; c < layer.In; c++)
        {
            for (var y = 0; y < h; y++)
            {
                source.AsSpan(c * w * h + y * w, w).CopyTo(padded.AsSpan(c * plane + (y + d) * pw + d, w));
            }
        }

        var n = w * h;
        var lanes = Vector<float>.Count;
        ref var input = ref MemoryMarshal.GetArrayDataReference(padded);
        ref var output = ref MemoryMarshal.GetArrayDataReference(destination);
        ref var interleaved = ref MemoryMarshal.GetArrayDataReference(layer.Interleaved);
        var bias = layer.BlockBias;
        for (var o0 = 0; o0 < layer.Out; o0 += 8)
        {
            var channels = Math.Min(8, layer.Out - o0);
            ref var block = ref Unsafe.Add(ref interleaved, o0 * layer.In * 9);
            for (var y = 0; y < h; y++)
            {
                var x = 0;
                for (; x <= w - lanes; x += lanes)
                {
                    var (a0, a1, a2, a3) = (new Vector<float>(bias[o0]), new Vector<float>(bias[o0 + 1]), new Vector<float>(bias[o0 + 2]), new Vector<float>(bias[o0 + 3]));
                    var (a4, a5, a6, a7) = (new Vector<float>(bias[o0 + 4]), new Vector<float>(bias[o0 + 5]), new Vector<float>(bias[o0 + 6]), new Vector<float>(bias[o0 + 7]));
                    ref var k = ref block;
                    for (var c = 0; c < layer.In; c++)
                    {
                        for (var ky = 0; ky < 3; ky++)
                        {
                            var row = c * plane + (y + ky * d) * pw + x;
                            for (var kx = 0; kx < 3; kx++)
                            {
                                var v = Vector.LoadUnsafe(ref input, (nuint)(row + kx * d));
                                a0 = Vector.MultiplyAddEstimate(new Vector<float>(k), v, a0);
                                a1 = Vector.MultiplyAddEstimate(new Vector<float>(Unsafe.Add(ref k, 1)), v, a1);
                                a2 = Vector.MultiplyAddEstimate(new Vector<float>(Unsafe.Add(ref k, 2)), v, a2);
                                a3 = Vector.MultiplyAddEstimate(new Vector<float>(Unsafe.Add(ref k, 3)), v, a3);
                                a4 = Vector.MultiplyAddEstimate(new Vector<float>(Unsafe.Add(ref k, 4)), v, a4);
                                a5 = Vector.MultiplyAddEstimate(new Vector<float>(Unsafe.Add(ref k, 5)), v, a5);
                                a6 = Vector.MultiplyAddEstimate(new Vector<float>(Unsafe.Add(ref k, 6)), v, a6);
                                a7 = Vector.MultiplyAddEstimate(new Vector<float>(Unsafe.Add(ref k, 7)), v, a7);
                                k = ref Unsafe.Add(ref k, 8);
                            }
                        }
                    }

                    var at = (nuint)(o0 * n + y * w + x);
                    Leaky(a0).StoreUnsafe(ref output, at);
                    if (channels == 8)
                    {
                        Leaky(a1).StoreUnsafe(ref output, at + (nuint)n);
                        Leaky(a2).StoreUnsafe(ref output, at + (nuint)(2 * n));
                        Leaky(a3).StoreUnsafe(ref output, at + (nuint)(3 * n));
                        Leaky(a4).StoreUnsafe(ref output, at + (nuint)(4 * n));
                        Leaky(a5).StoreUnsafe(ref output, at + (nuint)(5 * n));
                        Leaky(a6).StoreUnsafe(ref output, at + (nuint)(6 * n));
                        Leaky(a7).StoreUnsafe(ref output, at + (nuint)(7 * n));
                    }
                    else
                    {
                        // A last block of fewer than eight channels (layers whose outputs are not a multiple of eight).
                        ReadOnlySpan<Vector<float>> sums = [a1, a2, a3, a4, a5, a6];
                        for (var j = 1; j < channels; j++)
                        {
                            Leaky(sums[j - 1]).StoreUnsafe(ref output, at + (nuint)(j * n));
                        }
                    }
                }

                // Pixels past the last whole vector of the row, one by one.
                for (; x < w; x++)
                {
                    for (var o = o0; o < o0 + channels; o++)
                    {
                        var sum = layer.Bias[o];
                        for (var c = 0; c < layer.In; c++)
                        {
                            for (var t = 0; t < 9; t++)
                            {
                                sum += layer.Weights[(o * layer.In + c) * 9 + t] * padded[c * plane + (y + t / 3 * d) * pw + x + t % 3 * d];
                            }
                        }

                        destination[o * n + y * w + x] = sum >= 0 ? sum : LeakySlope * sum;
                    }
                }
            }
        }
    }

    private static Vector<float> Leaky(Vector<float> v) => Vector.ConditionalSelect(Vector.GreaterThanOrEqual(v, Vector<float>.Zero), v, v * LeakySlope);

    private static void Output(float[] source, Layer layer, int n, float[] destination)
    {
        var output = destination.AsSpan(0, n);
        output.Fill(layer.Bias[0]);
        for (var c = 0; c < layer.In; c++)
        {
            MultiplyAdd(layer.Weights[c], source.AsSpan(c * n, n), output);
        }
    }

    private static void Pool(float[] source, int channels, int w, int h, float[] destination)
    {
        var (ow, oh) = (w / 2, h / 2);
        for (var c = 0; c < channels; c++)
        {
            var s = source.AsSpan(c * w * h, w * h);
            var t = destination.AsSpan(c * ow * oh, ow * oh);
            for (var y = 0; y < oh; y++)
            {
                for (var x = 0; x < ow; x++)
                {
                    var p = 2 * y * w + 2 * x;
                    t[y * ow + x] = Math.Max(Math.Max(s[p], s[p + 1]), Math.Max(s[p + w], s[p + w + 1]));
                }
            }
        }
    }

    /// <summary>target[i] += weight × source[i].</summary>
    private static void MultiplyAdd(float weight, ReadOnlySpan<float> source, Span<float> target)
    {
        var lanes = Vector<float>.Count;
        var i = 0;
        var factor = new Vector<float>(weight);
        for (; i <= source.Length - lanes; i += lanes)
        {
            (new Vector<float>(target.Slice(i, lanes)) + factor * new Vector<float>(source.Slice(i, lanes))).CopyTo(target.Slice(i, lanes));
        }

        for (; i < source.Length; i++)
        {
            target[i] += weight * source[i];
        }
    }
}
