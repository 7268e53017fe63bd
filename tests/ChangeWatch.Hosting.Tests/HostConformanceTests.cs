using ChangeWatch.LocalHost;

namespace ChangeWatch.Hosting.Tests;

/// <summary>
/// DESIGN.md, "Hosting": every function in the generated functions.metadata has its twin in the local host with the
/// same trigger, path or queue and connection setting, and both call the same handler.
/// </summary>
public sealed class HostConformanceTests
{
    private static readonly string[] PipelineFunctions = ["BuildReport", "IngestScene", "SceneUploaded", "ScoreTiles"];

    [Fact]
    public void FunctionsMetadata_AfterBuild_ListsTheFourPipelineFunctions()
    {
        var names = FunctionsBuildOutput.ReadFunctions().Select(function => function.Trigger.Function).Order(StringComparer.Ordinal);

        Assert.Equal(PipelineFunctions, names);
    }

    [Fact]
    public void LocalHost_FunctionNames_EqualFunctionsMetadata()
    {
        var azure = FunctionsBuildOutput.ReadFunctions().Select(function => function.Trigger.Function).Order(StringComparer.Ordinal).ToList();
        var local = LocalHostFunctions.All().Select(function => function.Name).Order(StringComparer.Ordinal).ToList();

        Assert.True(azure.SequenceEqual(local),
            $"Missing locally: [{string.Join(", ", azure.Except(local))}]; only local: [{string.Join(", ", local.Except(azure))}].");
    }

    [Fact]
    public void LocalHost_Triggers_EqualFunctionsMetadata()
    {
        var azure = FunctionsBuildOutput.ReadFunctions().Select(function => function.Trigger).ToHashSet();
        var local = LocalHostFunctions.All().Select(function => LocalHostFunctions.Describe(function.Name, function.Method)).ToHashSet();

        Assert.True(azure.SetEquals(local),
            "Triggers differ.\n  Functions app only: " + string.Join("\n    ", azure.Except(local))
            + "\n  local host only: " + string.Join("\n    ", local.Except(azure)));
    }

    [Fact]
    public void BothHosts_EachFunction_CallTheSameHandler()
    {
        var functionsAssembly = typeof(ChangeWatch.Functions.Triggers.SceneUploaded).Assembly;
        var local = LocalHostFunctions.All().ToDictionary(function => function.Name, function => function.Class);
        var problems = new List<string>();

        foreach (var function in FunctionsBuildOutput.ReadFunctions())
        {
            var name = function.Trigger.Function;
            var azureClass = functionsAssembly.GetType(function.ClassName);
            if (azureClass is null)
            {
                problems.Add($"{name}: entry point {function.EntryPoint} is not a class of {functionsAssembly.GetName().Name}");
                continue;
            }

            if (!local.TryGetValue(name, out var localClass))
            {
                problems.Add($"{name}: no local twin");
                continue;
            }

            var azureHandlers = LocalHostFunctions.CoreDependencies(azureClass);
            var localHandlers = LocalHostFunctions.CoreDependencies(localClass);
            if (azureHandlers.Count != 1 || !azureHandlers[0].Name.EndsWith("Handler", StringComparison.Ordinal))
            {
                problems.Add($"{name}: Functions class takes [{string.Join(", ", azureHandlers.Select(type => type.Name))}], expected one handler");
            }

            if (!azureHandlers.SequenceEqual(localHandlers))
            {
                problems.Add($"{name}: Functions app calls [{string.Join(", ", azureHandlers.Select(type => type.Name))}], "
                    + $"local host calls [{string.Join(", ", localHandlers.Select(type => type.Name))}]");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void FunctionsMetadata_ScriptFile_IsTheFunctionsAssembly()
    {
        var expected = typeof(ChangeWatch.Functions.Triggers.SceneUploaded).Assembly.GetName().Name + ".dll";

        Assert.All(FunctionsBuildOutput.ReadFunctions(), function => Assert.Equal(expected, function.ScriptFile));
    }

    [Fact]
    public void FunctionsMetadata_BlobTriggers_UseEventGridSource()
    {
        var blobTriggers = FunctionsBuildOutput.ReadFunctions().Where(function => function.Trigger.Type == "blobTrigger").ToList();

        Assert.NotEmpty(blobTriggers);
        Assert.All(blobTriggers, function => Assert.Equal("EventGrid", function.BlobSource));
    }

    [Fact]
    public void LocalHostBuilder_FunctionTypes_AreExactlyTheClassesWithFunctions()
    {
        var withFunctions = LocalHostFunctions.All().Select(function => function.Class).Distinct().OrderBy(type => type.FullName, StringComparer.Ordinal);

        Assert.Equal(withFunctions, LocalHostBuilder.FunctionTypes.OrderBy(type => type.FullName, StringComparer.Ordinal));
    }
}
