namespace ChangeWatch.Infra.Tests;

/// <summary>The Functions app runs the build it is given: Flex Consumption, .NET isolated on the app's .NET version, package in the host storage.</summary>
public sealed class FunctionAppTests
{
    private static ArmModule FunctionApp => BuildOutput.MainTemplate.Module(InfraNames.FunctionAppModule);

    [Fact]
    public void Runtime_IsDotnetIsolatedOnTheAppsDotnetVersion()
    {
        var runtime = FunctionApp.Template.Resource("Microsoft.Web/sites").GetProperty("properties").GetProperty("functionAppConfig").GetProperty("runtime");

        Assert.Equal("dotnet-isolated", runtime.GetProperty("name").GetString());
        Assert.Equal(BuildOutput.DotnetVersion, runtime.GetProperty("version").GetString());
    }

    [Fact]
    public void Plan_IsFlexConsumption_WithMemoryAndMaximumInstancesFromMainParameters()
    {
        var plan = FunctionApp.Template.Resource("Microsoft.Web/serverfarms");
        var scale = FunctionApp.Template.Resource("Microsoft.Web/sites").GetProperty("properties").GetProperty("functionAppConfig").GetProperty("scaleAndConcurrency");

        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("[parameters('instanceMemoryMB')]", scale.GetProperty("instanceMemoryMB").GetString());
        Assert.Equal("[parameters('maximumInstanceCount')]", scale.GetProperty("maximumInstanceCount").GetString());
        Assert.Equal("[parameters('instanceMemoryMB')]", FunctionApp.PassedString("instanceMemoryMB"));
        Assert.Equal("[parameters('maximumInstanceCount')]", FunctionApp.PassedString("maximumInstanceCount"));
    }

    [Fact]
    public void DeploymentPackage_LivesInTheHostStorage_ReadWithTheAppsIdentity()
    {
        var storage = FunctionApp.Template.Resource("Microsoft.Web/sites").GetProperty("properties")
            .GetProperty("functionAppConfig").GetProperty("deployment").GetProperty("storage");

        Assert.Equal("blobContainer", storage.GetProperty("type").GetString());
        Assert.Equal("[format('{0}{1}', parameters('hostStorage').blobEndpoint, parameters('deploymentContainerName'))]", storage.GetProperty("value").GetString());
        Assert.Equal("UserAssignedIdentity", storage.GetProperty("authentication").GetProperty("type").GetString());
        Assert.Equal("[parameters('identityId')]", storage.GetProperty("authentication").GetProperty("userAssignedIdentityResourceId").GetString());
    }

    [Fact]
    public void ModelVersion_AllowsExactlyTheChangeModelsThePackageShips()
    {
        // Every change model folder published with the app (models/v<N> with its model.json) can be chosen at deployment,
        // and nothing else: a version the package lacks would fail at start.
        var shipped = Directory.GetDirectories(Path.Combine(BuildOutput.FunctionsDirectory, "models"))
            .Where(d => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(d), "^v[0-9]+$") && File.Exists(Path.Combine(d, "model.json")))
            .Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Contains("v9", shipped);
        foreach (var template in new[] { BuildOutput.MainTemplate, FunctionApp.Template })
        {
            var allowed = template.Parameter("modelVersion").GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()).Order(StringComparer.Ordinal);
            Assert.Equal(shipped, allowed);
        }
    }
}
