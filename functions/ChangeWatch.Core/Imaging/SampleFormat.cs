namespace ChangeWatch.Core.Imaging;

/// <summary>Pixel sample types a source raster may carry.</summary>
public enum SampleFormat
{
    /// <summary>Unsigned 8-bit.</summary>
    UInt8,
    /// <summary>Unsigned 16-bit.</summary>
    UInt16,
    /// <summary>Signed 16-bit.</summary>
    Int16,
    /// <summary>32-bit IEEE float.</summary>
    Float32,
}
