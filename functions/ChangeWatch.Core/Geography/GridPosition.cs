namespace ChangeWatch.Core.Geography;

/// <summary>A point on the UTM or UPS grid (WGS84).</summary>
/// <param name="Zone">UTM zone 1-60, or 0 for UPS (polar).</param>
/// <param name="North">True in the northern hemisphere (UTM) or the north polar region (UPS).</param>
/// <param name="Easting">Metres, false easting included (500 000 at a UTM central meridian, 2 000 000 at a pole).</param>
/// <param name="Northing">Metres, false northing included (10 000 000 on the UTM equator in the south, 2 000 000 at a pole).</param>
public sealed record GridPosition(int Zone, bool North, double Easting, double Northing)
{
    /// <summary>True for UPS (polar stereographic), false for UTM.</summary>
    public bool IsPolar => Zone == 0;
}
