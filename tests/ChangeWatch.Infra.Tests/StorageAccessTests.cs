using System.Text.Json;
using System.Text.RegularExpressions;

namespace ChangeWatch.Infra.Tests;

/// <summary>
/// Storage is reachable with Microsoft Entra ID only, and the app's identity holds exactly the three data roles it needs on
/// each account (no management role, no key access).
/// </summary>
public sealed partial class StorageAccessTests
{
    // Built-in role definition ids.
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";

    [Fact]
    public void EveryStorageAccount_AllowsNoSharedKeyNoAnonymousBlobsAndOnlyTls12()
    {
        var accounts = BuildOutput.MainTemplate.SelfAndNested()
            .SelectMany(t => t.ResourcesOfType("Microsoft.Storage/storageAccounts"))
            .Where(r => !r.TryGetProperty("existing", out _))
            .ToList();

        Assert.NotEmpty(accounts);
        foreach (var properties in accounts.Select(a => a.GetProperty("properties")))
        {
            Assert.False(properties.GetProperty("allowSharedKeyAccess").GetBoolean());
            Assert.False(properties.GetProperty("allowBlobPublicAccess").GetBoolean());
            Assert.Equal("TLS1_2", properties.GetProperty("minimumTlsVersion").GetString());
            Assert.True(properties.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        }
    }

    [Fact]
    public void EveryContainer_IsPrivate()
    {
        var containers = BuildOutput.MainTemplate.SelfAndNested()
            .SelectMany(t => t.ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices/containers"))
            .ToList();

        Assert.NotEmpty(containers);
        Assert.All(containers, c => Assert.Equal("None", c.GetProperty("properties").GetProperty("publicAccess").GetString()));
    }

    [Theory]
    [InlineData(InfraNames.ImageryStorageRolesModule, InfraNames.ImageryStorageModule)]
    [InlineData(InfraNames.HostStorageRolesModule, InfraNames.HostStorageModule)]
    public void AppIdentity_GetsBlobOwnerQueueAndTableContributor_OnEachStorageAccount(string rolesModule, string storageModule)
    {
        var main = BuildOutput.MainTemplate;
        var roles = main.Module(rolesModule);

        Assert.False(roles.IsConditional);
        Assert.Equal(main.Module(storageModule).PassedString("name"), roles.PassedString("storageAccountName"));
        AssertIsIdentityOutput(roles.Passed("principalId"), "principalId");
        Assert.Equal(
            new[] { StorageBlobDataOwner, StorageQueueDataContributor, StorageTableDataContributor }.Order(),
            RoleIds(roles.Template).Order());
        var assignment = roles.Template.Resource("Microsoft.Authorization/roleAssignments");
        Assert.Equal("[parameters('principalId')]", assignment.GetProperty("properties").GetProperty("principalId").GetString());
    }

    [Fact]
    public void AppIdentity_PublishesTelemetry_WithMonitoringMetricsPublisherOnly()
    {
        var monitoring = BuildOutput.MainTemplate.Module(InfraNames.MonitoringModule);

        AssertIsIdentityOutput(monitoring.Passed("publisherPrincipalId"), "principalId");
        Assert.Equal(["3913510d-42f4-4e42-8a64-420c390055eb"], RoleIds(monitoring.Template));
        var insights = monitoring.Template.Resource("Microsoft.Insights/components");
        Assert.True(insights.GetProperty("properties").GetProperty("DisableLocalAuth").GetBoolean());
    }

    /// <summary>Every role definition id (a GUID) named anywhere in a module's template.</summary>
    private static List<string> RoleIds(ArmTemplate template) =>
        [.. Guid().Matches(template.Root.GetRawText()).Select(m => m.Value.ToLowerInvariant()).Distinct()];

    internal static void AssertIsIdentityOutput(JsonElement value, string output)
    {
        var expression = value.GetString() ?? "";
        Assert.Contains($"'{InfraNames.IdentityModule}'", expression, StringComparison.Ordinal);
        Assert.EndsWith($".outputs.{output}.value]", expression, StringComparison.Ordinal);
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guid();
}
