using BitMiracle.LibTiff.Classic;
using ChangeWatch.Core.Domain;

namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>
/// LibTiff.NET reports errors through one process-wide handler. This installs, once, a handler that turns errors raised
/// on a thread inside <see cref="Reading"/> into <see cref="RejectedInputException"/> (corrupt image), errors inside
/// <see cref="Writing"/> into <see cref="IOException"/>, silences warnings there, and hands everything raised outside a
/// scope to the handler that was installed before. It also registers the GeoTIFF and GDAL tags so they can be written.
/// </summary>
internal static class LibTiffScope
{
    [ThreadStatic]
    private static int t_mode; // 0 none, 1 reading, 2 writing

    private static readonly Lock Gate = new();
    private static bool s_installed;
    private static TiffErrorHandler? s_previous;
    private static Tiff.TiffExtendProc? s_parentExtender;

    private static readonly TiffFieldInfo[] GeoFields =
    [
        new(TiffTag.GEOTIFF_MODELPIXELSCALETAG, -1, -1, TiffType.DOUBLE, FieldBit.Custom, true, true, "ModelPixelScaleTag"),
        new(TiffTag.GEOTIFF_MODELTIEPOINTTAG, -1, -1, TiffType.DOUBLE, FieldBit.Custom, true, true, "ModelTiepointTag"),
        new(TiffTag.GEOTIFF_MODELTRANSFORMATIONTAG, -1, -1, TiffType.DOUBLE, FieldBit.Custom, true, true, "ModelTransformationTag"),
        new(TiffTag.GEOTIFF_GEOKEYDIRECTORYTAG, -1, -1, TiffType.SHORT, FieldBit.Custom, true, true, "GeoKeyDirectoryTag"),
        new(TiffTag.GEOTIFF_GEODOUBLEPARAMSTAG, -1, -1, TiffType.DOUBLE, FieldBit.Custom, true, true, "GeoDoubleParamsTag"),
        new(TiffTag.GEOTIFF_GEOASCIIPARAMSTAG, -1, -1, TiffType.ASCII, FieldBit.Custom, true, false, "GeoASCIIParamsTag"),
        new(TiffTag.GDAL_NODATA, -1, -1, TiffType.ASCII, FieldBit.Custom, true, false, "GDALNoDataValue"),
    ];

    /// <summary>Runs libtiff calls on this thread with errors mapped to <see cref="RejectedInputException"/>.</summary>
    public static Scope Reading() => Enter(1);

    /// <summary>Runs libtiff calls on this thread with errors mapped to <see cref="IOException"/>.</summary>
    public static Scope Writing() => Enter(2);

    private static Scope Enter(int mode)
    {
        EnsureInstalled();
        var previous = t_mode;
        t_mode = mode;
        return new Scope(previous);
    }

    private static void EnsureInstalled()
    {
        lock (Gate)
        {
            if (s_installed)
            {
                return;
            }

            s_previous = Tiff.SetErrorHandler(new MappingHandler());
            s_parentExtender = Tiff.SetTagExtender(Extend);
            s_installed = true;
        }
    }

    private static void Extend(Tiff tif)
    {
        tif.MergeFieldInfo(GeoFields, GeoFields.Length);
        s_parentExtender?.Invoke(tif);
    }

    /// <summary>Restores the previous mode of this thread when disposed.</summary>
    public readonly struct Scope(int previous) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => t_mode = previous;
    }

    private sealed class MappingHandler : TiffErrorHandler
    {
        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args)
        {
            switch (t_mode)
            {
                case 1:
                    throw new RejectedInputException(RejectionCode.CorruptImage,
                        "The TIFF data could not be decoded: " + Format(method, format, args));
                case 2:
                    throw new IOException("The TIFF could not be written: " + Format(method, format, args));
                default:
                    s_previous?.ErrorHandler(tif, method, format, args);
                    break;
            }
        }

        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
            if (t_mode == 0)
            {
                s_previous?.ErrorHandlerExt(tif, clientData, method, format, args);
            }
        }

        public override void WarningHandler(Tiff tif, string method, string format, params object[] args)
        {
            if (t_mode == 0)
            {
                s_previous?.WarningHandler(tif, method, format, args);
            }
        }

        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
            if (t_mode == 0)
            {
                s_previous?.WarningHandlerExt(tif, clientData, method, format, args);
            }
        }

        private static string Format(string method, string format, object[] args)
        {
            try
            {
                return method + ": " + string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
            }
            catch (FormatException)
            {
                return method + ": " + format;
            }
        }
    }
}

/// <summary>A LibTiff.NET stream adapter over a caller-owned stream: closing the TIFF leaves the stream open.</summary>
internal sealed class BorrowedTiffStream : TiffStream
{
    /// <inheritdoc />
    public override void Close(object clientData)
    {
        // The caller owns the stream.
    }
}
