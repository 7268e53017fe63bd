using System.Globalization;

namespace ChangeWatch.Core.Geography;

/// <summary>
/// Military Grid Reference System references of WGS84 points (NGA.STND.0037, the "AA" lettering of WGS84), e.g.
/// <c>31U DQ 48251 11943</c>: zone and latitude band, 100 km square, easting and northing within the square.
/// Digits are truncated, not rounded (the reference names the square that holds the point), so 5 digits name the
/// 1 m square. Polar regions (beyond 84°N and 80°S) use UPS: <c>Z AH 00000 00000</c> is the North Pole.
/// </summary>
public static class Mgrs
{
    private const string Bands = "CDEFGHJKLMNPQRSTUVWX";
    private const string RowLetters = "ABCDEFGHJKLMNPQRSTUV";
    private static readonly string[] ColumnLetters = ["ABCDEFGH", "JKLMNPQR", "STUVWXYZ"];

    // UPS: columns by band (A, B south; Y, Z north), rows by hemisphere, and the first 100 km index each starts at.
    private static readonly string[] UpsColumns = ["JKLPQRSTUXYZ", "ABCFGHJKLPQR", "RSTUXYZ", "ABCFGHJ"];
    private const string UpsRowsSouth = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private const string UpsRowsNorth = "ABCDEFGHJKLMNP";
    private const int UpsFirstIndexSouth = 8;
    private const int UpsFirstIndexNorth = 13;
    private const int UpsCentreIndex = 20;

    /// <summary>
    /// The MGRS reference of a point, with <paramref name="digits"/> (0-5) digits each for easting and northing
    /// (5 = 1 m, 4 = 10 m, ... 0 = the 100 km square), groups separated by single spaces.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Digits not 0-5, latitude beyond ±90, or a value not finite.</exception>
    public static string FromLatLon(double latitude, double longitude, int digits = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, 5);
        var position = UtmUps.Forward(latitude, longitude);
        return position.IsPolar ? Polar(position, digits) : Utm(position, latitude, digits);
    }

    private static string Utm(GridPosition p, double latitude, int digits)
    {
        // Band X is 12° tall (72-84°N); 84°N itself is still in X.
        var band = Bands[Math.Clamp((int)Math.Floor((latitude + 80) / 8), 0, Bands.Length - 1)];
        var east100k = (int)Math.Floor(p.Easting / 100_000);
        var north100k = (int)Math.Floor(p.Northing / 100_000);
        var set = (p.Zone - 1) % 3;
        var column = ColumnLetters[set][Math.Clamp(east100k - 1, 0, 7)];
        var row = RowLetters[(north100k + (p.Zone % 2 == 0 ? 5 : 0)) % 20];
        return string.Create(CultureInfo.InvariantCulture, $"{p.Zone:D2}{band} {column}{row}") + Digits(p, digits);
    }

    private static string Polar(GridPosition p, int digits)
    {
        var east100k = (int)Math.Floor(p.Easting / 100_000);
        var north100k = (int)Math.Floor(p.Northing / 100_000);
        var eastern = east100k >= UpsCentreIndex;
        var bandIndex = (p.North ? 2 : 0) + (eastern ? 1 : 0);
        var first = p.North ? UpsFirstIndexNorth : UpsFirstIndexSouth;
        var columns = UpsColumns[bandIndex];
        var rows = p.North ? UpsRowsNorth : UpsRowsSouth;
        var column = columns[Math.Clamp(east100k - (eastern ? UpsCentreIndex : first), 0, columns.Length - 1)];
        var row = rows[Math.Clamp(north100k - first, 0, rows.Length - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"{"ABYZ"[bandIndex]} {column}{row}") + Digits(p, digits);
    }

    private static string Digits(GridPosition p, int digits)
    {
        if (digits == 0)
        {
            return string.Empty;
        }

        var unit = Math.Pow(10, 5 - digits);
        var e = (long)Math.Floor(Mod100k(p.Easting) / unit);
        var n = (long)Math.Floor(Mod100k(p.Northing) / unit);
        var format = new string('0', digits);
        return " " + e.ToString(format, CultureInfo.InvariantCulture) + " " + n.ToString(format, CultureInfo.InvariantCulture);
    }

    private static double Mod100k(double metres) => metres - Math.Floor(metres / 100_000) * 100_000;
}
