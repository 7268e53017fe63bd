using System.Text.Json;

namespace ChangeWatch.Infra.Tests;

/// <summary>
/// Event Grid drives the one blob trigger with <c>Source = EventGrid</c>: a system topic on the imagery storage and a
/// subscription that posts BlobCreated events under the trigger's container to that function's blob extension webhook.
/// </summary>
public sealed class SceneUploadEventsTests
{
    private static ArmModule Events => BuildOutput.MainTemplate.Module(InfraNames.SceneUploadEventsModule);

    private static ArmModule Subscription => BuildOutput.MainTemplate.Module(InfraNames.BlobTriggerSubscriptionModule);

    private static (string Function, JsonElement Trigger) EventGridBlobTrigger =>
        Assert.Single(BuildOutput.Triggers, t => t.Trigger.GetProperty("type").GetString() == "blobTrigger"
            && t.Trigger.TryGetProperty("source", out var source) && source.GetString() == "EventGrid");

    [Fact]
    public void Subscription_TargetsTheEventGridBlobTriggerAndItsContainer()
    {
        var (function, trigger) = EventGridBlobTrigger;

        Assert.Equal(function, Subscription.PassedString("functionName"));
        Assert.Equal(trigger.GetProperty("path").GetString()!.Split('/')[0], Subscription.PassedString("containerName"));
        Assert.Equal(BuildOutput.MainTemplate.Module(InfraNames.FunctionAppModule).PassedString("name"), Subscription.PassedString("functionAppName"));
        Assert.Equal(Events.PassedString("systemTopicName"), Subscription.PassedString("systemTopicName"));
    }

    [Fact]
    public void Subscription_IsDeployedOnlyOnTheSecondPass()
    {
        // Its webhook key exists only once the code is deployed (docs/deploy.md, step 3).
        Assert.Equal("[parameters('subscribeBlobTrigger')]", Subscription.Deployment.GetProperty("condition").GetString());
        Assert.False(BuildOutput.MainTemplate.Parameter("subscribeBlobTrigger").GetProperty("defaultValue").GetBoolean());
    }

    [Fact]
    public void SystemTopic_IsOnTheImageryStorage()
    {
        var topic = Events.Template.Resource("Microsoft.EventGrid/systemTopics").GetProperty("properties");

        Assert.Equal(BuildOutput.MainTemplate.Module(InfraNames.ImageryStorageModule).PassedString("name"), Events.PassedString("storageAccountName"));
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]", topic.GetProperty("source").GetString());
        Assert.Equal("Microsoft.Storage.StorageAccounts", topic.GetProperty("topicType").GetString());
    }

    [Fact]
    public void Subscription_PostsBlobCreatedUnderTheContainer_ToTheBlobExtensionWebhook()
    {
        var subscription = Subscription.Template.Resource("Microsoft.EventGrid/systemTopics/eventSubscriptions").GetProperty("properties");
        var destination = subscription.GetProperty("destination");
        var endpoint = destination.GetProperty("properties").GetProperty("endpointUrl").GetString()!;
        var filter = subscription.GetProperty("filter");

        Assert.Equal("WebHook", destination.GetProperty("endpointType").GetString());
        Assert.Contains("/runtime/webhooks/blobs?functionName=Host.Functions.{1}&code={2}'", endpoint, StringComparison.Ordinal);
        Assert.Contains("parameters('functionName')", endpoint, StringComparison.Ordinal);
        Assert.Contains(".systemKeys.blobs_extension", endpoint, StringComparison.Ordinal);
        Assert.Equal(["Microsoft.Storage.BlobCreated"], filter.GetProperty("includedEventTypes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("[format('/blobServices/default/containers/{0}/', parameters('containerName'))]", filter.GetProperty("subjectBeginsWith").GetString());
    }
}
