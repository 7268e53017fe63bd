namespace ChangeWatch.Runtime;

/// <summary>Resolves the model folder setting: absolute paths as given, relative ones against the app's base directory (where the build copies <c>ml-models/models</c>).</summary>
public static class ModelPaths
{
    /// <summary>The absolute model folder for <paramref name="configured"/>.</summary>
    public static string Resolve(string configured) =>
        Path.IsPathRooted(configured) ? configured : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, configured));
}
