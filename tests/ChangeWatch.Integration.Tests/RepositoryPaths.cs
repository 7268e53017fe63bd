namespace ChangeWatch.Integration.Tests;

/// <summary>Where the repository and the shared data are, from the test's output folder.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding ChangeWatch.slnx.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary><c>../shared/data</c> beside the repository (absent on a user's clone).</summary>
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
