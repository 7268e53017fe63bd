namespace ChangeWatch.Infra.Tests;

/// <summary>Module deployment names in infra/main.bicep (the <c>name:</c> of each module).</summary>
internal static class InfraNames
{
    public const string ImageryStorageModule = "imagery-storage";
    public const string HostStorageModule = "host-storage";
    public const string ImageryStorageRolesModule = "imagery-storage-roles";
    public const string HostStorageRolesModule = "host-storage-roles";
    public const string IdentityModule = "identity";
    public const string MonitoringModule = "monitoring";
    public const string FunctionAppModule = "function-app";
    public const string SceneUploadEventsModule = "scene-upload-events";
    public const string BlobTriggerSubscriptionModule = "blob-trigger-subscription";

    /// <summary>The Functions host's own storage connection (not the code's, but the host's: receipts, locks, deployment).</summary>
    public const string HostConnection = "AzureWebJobsStorage";
}
