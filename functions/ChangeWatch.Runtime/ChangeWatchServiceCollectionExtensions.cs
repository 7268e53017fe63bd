using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Ports;
using ChangeWatch.Detection;
using ChangeWatch.Imaging.Decoding;
using ChangeWatch.Imaging.Geo;
using ChangeWatch.Imaging.GeoTiff;
using ChangeWatch.Reporting;
using ChangeWatch.Runtime.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChangeWatch.Runtime;

/// <summary>The one composition root of ChangeWatch, shared by the Azure Functions app, the local host and the CLI.</summary>
public static class ChangeWatchServiceCollectionExtensions
{
    /// <summary>
    /// Registers the pipeline handlers, the Azure Storage adapters (connection <see cref="StorageNames.Connection"/>), the
    /// imaging, detection and reporting adapters, and <see cref="PipelineOptions"/> bound from section
    /// <see cref="PipelineOptions.Section"/>, validated when the host starts (a bad setting fails start-up with its name).
    /// </summary>
    public static IServiceCollection AddChangeWatch(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PipelineOptions>()
            .Bind(configuration.GetSection(PipelineOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new StorageClients(configuration));
        services.AddSingleton<IBlobStore, AzureBlobStore>();
        services.AddSingleton<IMessageQueue, AzureMessageQueue>();
        services.AddSingleton<TableCatalog>();
        services.AddSingleton<ICatalog>(sp => sp.GetRequiredService<TableCatalog>());

        services.AddSingleton<IRasterDecoder, RasterDecoder>();
        services.AddSingleton<ITileCodec, GeoTiffTileCodec>();
        services.AddSingleton<IGeoLocator, ProjNetGeoLocator>();
        services.AddSingleton<IReportRenderer, ReportRenderer>();
        services.AddSingleton<IChangeScorer>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PipelineOptions>>().Value;
            return ChangeScorerFactory.Create(
                ModelPaths.Resolve(options.ModelDirectory), options.ModelVersion, options.FlagThreshold, options.MaxMaskedFraction,
                coreMargin: options.TileOverlap / 2);
        });

        services.AddSingleton<TileStore>();
        services.AddSingleton<SidecarReader>();
        services.AddSingleton<RejectionRecorder>();
        services.AddSingleton<SceneUploadedHandler>();
        services.AddSingleton<IngestSceneHandler>();
        services.AddSingleton<ScoreTilesHandler>();
        services.AddSingleton<BuildReportHandler>();
        services.AddSingleton<IncomingReconciler>();
        return services;
    }
}
