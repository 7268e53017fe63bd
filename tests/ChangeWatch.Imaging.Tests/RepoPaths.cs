namespace ChangeWatch.Imaging.Tests;

/// <summary>Finds the repository root (the folder holding ChangeWatch.slnx) and the shared data beside it.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string SharedData => Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ChangeWatch.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ChangeWatch.slnx not found above " + AppContext.BaseDirectory);
    }
}
