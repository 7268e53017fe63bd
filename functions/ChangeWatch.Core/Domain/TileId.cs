using System.Globalization;

namespace ChangeWatch.Core.Domain;

/// <summary>A tile's place on its AOI grid. Rows and columns may be negative when a later scene extends past the first.</summary>
public readonly record struct TileId(int Row, int Col)
{
    /// <summary><c>{row}_{col}</c>, used in blob names and table row keys.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Row}_{Col}");

    /// <summary>Parses <c>{row}_{col}</c>.</summary>
    public static TileId Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sep = value.IndexOf('_', 1);
        if (sep < 0
            || !int.TryParse(value.AsSpan(0, sep), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var row)
            || !int.TryParse(value.AsSpan(sep + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var col))
        {
            throw new RejectedInputException(RejectionCode.InvalidMessage, "A tile id is {row}_{col}.");
        }

        return new TileId(row, col);
    }
}
