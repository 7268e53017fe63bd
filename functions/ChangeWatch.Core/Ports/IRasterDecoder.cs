using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Ports;

/// <summary>Opens image files for reading by window.</summary>
public interface IRasterDecoder
{
    /// <summary>
    /// Reads the header of the file behind <paramref name="seekableStream"/>, checks it against
    /// <paramref name="limits"/> before decoding any pixel, and returns a source to read windows from.
    /// Throws <see cref="Domain.RejectedInputException"/> with a stable code for bad, unsupported or oversized input.
    /// The returned source owns no stream: the caller keeps the stream open while reading and disposes both.
    /// </summary>
    IRasterSource Open(Stream seekableStream, RasterFormat format, DecodeLimits limits);
}

/// <summary>A decoded or decodable raster that can be read one window at a time.</summary>
public interface IRasterSource : IDisposable
{
    /// <summary>The header facts.</summary>
    RasterInfo Info { get; }

    /// <summary>
    /// Reads <paramref name="window"/> (which may extend beyond the raster: those pixels become NaN) into
    /// <paramref name="destination"/>, band-sequential, of length window.Width × window.Height × BandCount.
    /// Throws <see cref="Domain.RejectedInputException"/> (<see cref="Domain.RejectionCode.CorruptImage"/>) when the
    /// data cannot be decoded.
    /// </summary>
    void ReadWindow(PixelWindow window, Span<float> destination);
}
