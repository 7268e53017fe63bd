using ChangeWatch.LocalHost;
using Microsoft.Extensions.Configuration;

namespace ChangeWatch.Hosting.Tests;

public sealed class LocalSettingsConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("changewatch-localsettings-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AddLocalSettingsValues_FileWithValues_ReadsValuesWithDoubleUnderscoreAsSection()
    {
        var path = Path.Combine(_directory, "local.settings.json");
        File.WriteAllText(path, """
            {
              "IsEncrypted": false,
              "Values": {
                "AzureWebJobsStorage": "UseDevelopmentStorage=true",
                "Pipeline__MaxUploadBytes": 1048576,
                "Pipeline__Enabled": true
              },
              "Host": { "LocalHttpPort": 7071 }
            }
            """);

        var configuration = new ConfigurationBuilder().AddLocalSettingsValues(path).Build();

        Assert.Equal("UseDevelopmentStorage=true", configuration["AzureWebJobsStorage"]);
        Assert.Equal("1048576", configuration["Pipeline:MaxUploadBytes"]);
        Assert.Equal("true", configuration["Pipeline:Enabled"]);
        Assert.Null(configuration["Host:LocalHttpPort"]);
    }

    [Fact]
    public void AddLocalSettingsValues_MissingFile_AddsNothing()
    {
        var configuration = new ConfigurationBuilder().AddLocalSettingsValues(Path.Combine(_directory, "absent.json")).Build();

        Assert.Empty(configuration.AsEnumerable());
    }
}
