using System.Text;
using ChangeWatch.Core.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChangeWatch.Core.Tests.Fakes;

/// <summary>The four handlers wired to in-memory fakes, with a loop that delivers queued messages the way the hosts do.</summary>
public sealed class PipelineHarness
{
    public PipelineHarness(PipelineOptions? options = null)
    {
        Options = Microsoft.Extensions.Options.Options.Create(options ?? new PipelineOptions { TileSize = 64, TileOverlap = 8, BatchSize = 4, ClaimWaitSeconds = 0 });
        var rejections = new RejectionRecorder(Blobs, Catalog, Time, NullLogger<RejectionRecorder>.Instance);
        var tiles = new TileStore(Blobs, new PassThroughTileCodec());
        Uploaded = new SceneUploadedHandler(Blobs, Queue, rejections, Options, NullLogger<SceneUploadedHandler>.Instance);
        Ingest = new IngestSceneHandler(Blobs, Queue, Catalog, new SyntheticTiffDecoder(), tiles, Scorer, new SidecarReader(Blobs), rejections, Options, Time,
            NullLogger<IngestSceneHandler>.Instance);
        Score = new ScoreTilesHandler(Queue, Catalog, tiles, Scorer, rejections, NullLogger<ScoreTilesHandler>.Instance);
        Report = new BuildReportHandler(Blobs, Queue, Catalog, tiles, Scorer, Renderer, new ScaledGeoLocator(), rejections, Options, Time,
            NullLogger<BuildReportHandler>.Instance);
        Reconciler = new IncomingReconciler(Blobs, Queue, Catalog, Options, Time, NullLogger<IncomingReconciler>.Instance);
    }

    public IOptions<PipelineOptions> Options { get; }
    public ManualTime Time { get; } = new();
    public InMemoryBlobStore Blobs => _blobs ??= new InMemoryBlobStore(Time);
    public InMemoryQueue Queue { get; } = new();
    public InMemoryCatalog Catalog { get; } = new();
    public DifferenceScorer Scorer { get; } = new();
    public JsonOnlyRenderer Renderer { get; } = new();
    public SceneUploadedHandler Uploaded { get; }
    public IngestSceneHandler Ingest { get; }
    public ScoreTilesHandler Score { get; }
    public BuildReportHandler Report { get; }
    public IncomingReconciler Reconciler { get; }

    private InMemoryBlobStore? _blobs;

    /// <summary>Puts an upload (and its sidecar, if given) in incoming and runs the blob trigger's handler on it.</summary>
    public async Task UploadAsync(string aoi, string name, byte[] content, string? sidecarJson = null)
    {
        Time.Advance(TimeSpan.FromMinutes(1));
        if (sidecarJson is not null)
        {
            Blobs.Put(StorageNames.IncomingContainer, $"{aoi}/{name}.json", Encoding.UTF8.GetBytes(sidecarJson));
        }

        Blobs.Put(StorageNames.IncomingContainer, $"{aoi}/{name}", content);
        await Uploaded.HandleAsync(aoi, name, CancellationToken.None);
    }

    /// <summary>Delivers queued messages until every pipeline queue is empty; with <paramref name="redeliver"/>, each message twice.</summary>
    public async Task DrainAsync(bool redeliver = false)
    {
        var progress = true;
        while (progress)
        {
            progress = false;
            foreach (var (queue, handle) in new (string, Func<string, CancellationToken, Task>)[]
                     {
                         (StorageNames.SceneIngestQueue, Ingest.HandleAsync),
                         (StorageNames.TileBatchesQueue, Score.HandleAsync),
                         (StorageNames.ChangeFlagsQueue, Report.HandleAsync),
                     })
            {
                while (Queue.TryReceive(queue, out var message))
                {
                    progress = true;
                    await handle(message, CancellationToken.None);
                    if (redeliver)
                    {
                        await handle(message, CancellationToken.None);
                    }
                }
            }
        }
    }

    public IReadOnlyList<string> ReportsReady => Queue.Peek(StorageNames.ReportsReadyQueue);
}

/// <summary>A clock that moves only when told.</summary>
public sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2026, 5, 1, 8, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
