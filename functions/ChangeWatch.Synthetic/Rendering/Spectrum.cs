namespace ChangeWatch.Synthetic.Rendering;

/// <summary>A surface colour in 0-255 units (R, G, B, NIR) and how much vegetation it holds (0-1, drives seasonal shift).</summary>
internal readonly record struct Spectrum(float R, float G, float B, float Nir, float Vegetation = 0f)
{
    public float this[int band] => band switch { 0 => R, 1 => G, 2 => B, _ => Nir };

    public Spectrum Scale(float f) => new(R * f, G * f, B * f, Nir * f, Vegetation);

    public Spectrum Jitter(ScenarioRandom rng, float amount)
    {
        var common = (float)rng.Range(-amount, amount);
        return new Spectrum(
            R + common + (float)rng.Range(-amount, amount) * 0.4f,
            G + common + (float)rng.Range(-amount, amount) * 0.4f,
            B + common + (float)rng.Range(-amount, amount) * 0.4f,
            Nir + common + (float)rng.Range(-amount, amount) * 0.4f,
            Vegetation);
    }
}

/// <summary>The palette the scenes are painted with (rough aerial RGB + NIR appearances).</summary>
internal static class Palette
{
    public static readonly Spectrum GreenGrass = new(88, 112, 62, 175, 1f);
    public static readonly Spectrum DryGrass = new(132, 128, 86, 140, 0.6f);
    public static readonly Spectrum Soil = new(142, 122, 96, 115, 0.1f);
    public static readonly Spectrum GreenCrop = new(72, 118, 52, 195, 1f);
    public static readonly Spectrum RipeCrop = new(182, 166, 102, 135, 0.35f);
    public static readonly Spectrum Ploughed = new(118, 96, 76, 92, 0f);
    public static readonly Spectrum Stubble = new(170, 152, 112, 112, 0.15f);
    public static readonly Spectrum PavedRoad = new(148, 148, 144, 125, 0f);
    public static readonly Spectrum DirtTrack = new(168, 150, 122, 122, 0f);
    public static readonly Spectrum Tree = new(48, 72, 38, 168, 1f);
    public static readonly Spectrum DugSoil = new(84, 70, 56, 72, 0f);
    public static readonly Spectrum Spoil = new(168, 148, 118, 104, 0f);
    public static readonly Spectrum ClearedGround = new(178, 162, 136, 128, 0f);
    public static readonly Spectrum Slab = new(192, 190, 184, 160, 0f);

    public static readonly Spectrum[] Roofs =
    [
        new(150, 80, 64, 110), new(170, 170, 168, 150), new(110, 108, 112, 95), new(196, 186, 170, 170), new(128, 96, 72, 100),
    ];

    public static readonly Spectrum[] Vehicles =
    [
        new(62, 68, 46, 70), new(72, 76, 52, 78), new(44, 46, 44, 52), new(88, 84, 64, 84), new(58, 60, 58, 64), new(150, 138, 108, 120),
    ];
}
