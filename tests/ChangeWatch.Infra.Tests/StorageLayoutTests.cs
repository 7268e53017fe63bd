using ChangeWatch.Core.Pipeline;

namespace ChangeWatch.Infra.Tests;

/// <summary>
/// infra/ creates exactly the containers, queues and tables of <see cref="StorageNames"/> in the imagery storage (the
/// account behind connection <see cref="StorageNames.Connection"/>), and the host storage holds only the deployment package.
/// Rule for queues: the four pipeline queues and their <c>-poison</c> queues. The runtime would create the poison queues
/// itself on the first failure; infra/ creates them up front so monitoring and <c>changewatch status</c> see them from the
/// start, so a poison queue missing from infra/ fails here like any other. The Functions host's internal queues
/// (<c>azure-webjobs-blobtrigger-*</c>, <c>webjobs-blobtrigger-poison</c>) are not the code's and not in infra/.
/// </summary>
public sealed class StorageLayoutTests
{
    private static ArmModule Imagery => BuildOutput.MainTemplate.Module(InfraNames.ImageryStorageModule);

    private static ArmModule Host => BuildOutput.MainTemplate.Module(InfraNames.HostStorageModule);

    [Fact]
    public void ImageryStorage_Containers_AreExactlyTheCodes()
    {
        AssertSameNames(StorageNames.Containers, Imagery.PassedStrings("containers"), "containers");
    }

    [Fact]
    public void ImageryStorage_Queues_AreExactlyTheCodesAndTheirPoisonQueues()
    {
        var expected = StorageNames.Queues.Concat(StorageNames.Queues.Select(StorageNames.PoisonQueue)).ToList();

        AssertSameNames(expected, Imagery.PassedStrings("queues"), "queues");
    }

    [Fact]
    public void ImageryStorage_Tables_AreExactlyTheCodes()
    {
        AssertSameNames(StorageNames.Tables, Imagery.PassedStrings("tables"), "tables");
    }

    [Fact]
    public void FunctionsMetadata_EveryTriggerQueueAndContainer_IsCreatedInImageryStorage()
    {
        var queues = Imagery.PassedStrings("queues");
        var containers = Imagery.PassedStrings("containers");

        foreach (var (function, trigger) in BuildOutput.Triggers)
        {
            Assert.Equal(StorageNames.Connection, trigger.GetProperty("connection").GetString());
            switch (trigger.GetProperty("type").GetString())
            {
                case "queueTrigger":
                    Assert.Contains(trigger.GetProperty("queueName").GetString(), queues);
                    break;
                case "blobTrigger":
                    Assert.Contains(trigger.GetProperty("path").GetString()!.Split('/')[0], containers);
                    break;
                default:
                    Assert.Fail($"{function}: trigger type {trigger.GetProperty("type")} is not covered by infra/ tests");
                    break;
            }
        }
    }

    [Fact]
    public void HostStorage_HoldsOnlyTheDeploymentContainer()
    {
        var deploymentContainer = BuildOutput.MainTemplate.Module(InfraNames.FunctionAppModule).PassedString("deploymentContainerName");

        Assert.Equal([deploymentContainer], Host.PassedStrings("containers"));
        Assert.Empty(Host.PassedStrings("queues"));
        Assert.Empty(Host.PassedStrings("tables"));
    }

    [Theory]
    [InlineData("Microsoft.Storage/storageAccounts/blobServices/containers", "containers")]
    [InlineData("Microsoft.Storage/storageAccounts/queueServices/queues", "queues")]
    [InlineData("Microsoft.Storage/storageAccounts/tableServices/tables", "tables")]
    public void StorageModule_CreatesOneResourcePerListedName(string type, string parameter)
    {
        // The lists checked above are only as good as the module's use of them: one resource per element, named by it.
        var resource = Imagery.Template.Resource(type);

        Assert.Equal($"[length(parameters('{parameter}'))]", resource.GetProperty("copy").GetProperty("count").GetString());
        Assert.EndsWith($"parameters('{parameter}')[copyIndex()])]", resource.GetProperty("name").GetString(), StringComparison.Ordinal);
    }

    private static void AssertSameNames(IEnumerable<string> code, IEnumerable<string> infra, string kind)
    {
        var inCode = code.ToHashSet(StringComparer.Ordinal);
        var inInfra = infra.ToHashSet(StringComparer.Ordinal);
        var missing = inCode.Except(inInfra).Order().ToList();
        var extra = inInfra.Except(inCode).Order().ToList();

        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{kind}: the code uses but infra/main.bicep does not create [{string.Join(", ", missing)}]; " +
            $"infra/main.bicep creates but the code does not use [{string.Join(", ", extra)}]");
    }
}
