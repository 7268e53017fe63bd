namespace ChangeWatch.Synthetic;

/// <summary>How strong a randomly drawn set of nuisances is.</summary>
public enum NuisanceLevel
{
    /// <summary>Nothing but sensor noise.</summary>
    None = 0,

    /// <summary>Mild: small gain and colour changes, light haze, sub-pixel misregistration.</summary>
    Mild = 1,

    /// <summary>Strong: large illumination and seasonal shifts, haze, blur, 1-2 px misregistration, harvested fields.</summary>
    Strong = 2,
}

/// <summary>
/// Differences between the two dates that are NOT change of interest, applied to the after image (sensor noise is applied
/// to both). None of them enters the label mask.
/// </summary>
public sealed record Nuisance
{
    /// <summary>No nuisance except sensor noise of 1 unit.</summary>
    public static Nuisance None { get; } = new();

    /// <summary>Overall multiplicative gain on the after image (sun, exposure, sensor), 1 = none.</summary>
    public double Gain { get; init; } = 1.0;

    /// <summary>Per-band gain variation around <see cref="Gain"/> (0.05 = up to ±5 % per band).</summary>
    public double BandGainSpread { get; init; }

    /// <summary>Additive offset on every band of the after image, 0-255 units.</summary>
    public double Offset { get; init; }

    /// <summary>Seasonal shift of vegetated pixels, -1 (greener) to 1 (dry, yellow-brown); 0 = none.</summary>
    public double Season { get; init; }

    /// <summary>Haze strength 0-1: the after image is blended towards a bright airlight, unevenly across the scene.</summary>
    public double Haze { get; init; }

    /// <summary>Blend factor 0-1 towards a 3×3 blurred after image (focus, resampling, atmosphere).</summary>
    public double Blur { get; init; }

    /// <summary>Standard deviation of Gaussian sensor noise, 0-255 units, added to both dates.</summary>
    public double NoiseSigma { get; init; } = 1.0;

    /// <summary>Misregistration of the after image: its content moves by this many pixels to the right.</summary>
    public double ShiftX { get; init; }

    /// <summary>Misregistration of the after image: its content moves by this many pixels down.</summary>
    public double ShiftY { get; init; }

    /// <summary>Fraction 0-1 of fields whose crop state changes between the dates (harvest, ploughing, growth).</summary>
    public double FieldChangeFraction { get; init; }

    /// <summary>Draws a random nuisance set of the given strength.</summary>
    public static Nuisance Draw(ScenarioRandom random, NuisanceLevel level)
    {
        ArgumentNullException.ThrowIfNull(random);
        return level switch
        {
            NuisanceLevel.None => new Nuisance { NoiseSigma = random.Range(0.5, 1.5) },
            NuisanceLevel.Mild => new Nuisance
            {
                Gain = random.Range(0.88, 1.12),
                BandGainSpread = random.Range(0, 0.04),
                Offset = random.Range(-8, 8),
                Season = random.Range(-0.25, 0.25),
                Haze = random.Chance(0.3) ? random.Range(0, 0.15) : 0,
                Blur = random.Chance(0.3) ? random.Range(0, 0.4) : 0,
                NoiseSigma = random.Range(0.8, 2.5),
                ShiftX = random.Range(-0.6, 0.6),
                ShiftY = random.Range(-0.6, 0.6),
                FieldChangeFraction = random.Chance(0.3) ? random.Range(0, 0.25) : 0,
            },
            _ => new Nuisance
            {
                Gain = random.Chance(0.5) ? random.Range(0.6, 0.85) : random.Range(1.15, 1.5),
                BandGainSpread = random.Range(0.02, 0.1),
                Offset = random.Range(-20, 20),
                Season = random.Chance(0.5) ? random.Range(-0.9, -0.3) : random.Range(0.3, 1.0),
                Haze = random.Chance(0.5) ? random.Range(0.15, 0.45) : 0,
                Blur = random.Chance(0.5) ? random.Range(0.3, 1.0) : 0,
                NoiseSigma = random.Range(1.5, 5),
                ShiftX = random.Range(-2, 2),
                ShiftY = random.Range(-2, 2),
                FieldChangeFraction = random.Chance(0.6) ? random.Range(0.2, 0.7) : 0,
            },
        };
    }
}
