using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Runtime.Storage;

/// <summary>
/// <see cref="ICatalog"/> on Azure Table Storage (or Azurite). Layout:
/// <list type="bullet">
/// <item><c>scenes</c>: partition <c>scene</c> (row = scene id; columns Aoi, Status, Json; replaced under its ETag, never
/// to a lower status), <c>grid</c> (row = AOI),
/// <c>upload</c> (row = hex of the blob name; column SceneId), and one partition per once-only step (<see cref="SceneSteps"/>:
/// <c>report</c>, <c>batches</c>; row = scene id; columns Claimant, LeaseUntil, Done), changed only under the row's ETag.</item>
/// <item><c>tiles</c>: partition = scene id (row = tile id; Flagged, Probability, Json); partition
/// <c>{sceneId}-batches</c> (row = batch index) records batch arrivals.</item>
/// <item><c>rejections</c>: partition <c>rejection</c>, row = rejection key.</item>
/// <item><c>custody</c>: partition = scene id, row = <see cref="CustodyKeys.Key"/> (the step; reviews add their time);
/// columns Step, Actor, At, Detail.</item>
/// <item><c>reviews</c>: partition = scene id, row = site id (columns Verdict, Analyst, At, Json).</item>
/// <item><c>sites</c>: partition = AOI, row = track id (the track; replaced under its ETag); partition
/// <c>{aoi}~{trackId}</c>, row = <c>{acquisition ticks}~{sceneId}</c> (the track's history, one row per scene); partition
/// <c>{aoi}~scenes</c>, row = scene id (each scene's matching, inserted once; its JSON is split over columns Json, Json1,
/// ... of at most 30 000 characters each, since one string column holds 64 KiB).</item>
/// </list>
/// Inserts that must happen once use Add (HTTP 409 when present); everything else is an upsert of the same content.
/// </summary>
public sealed class TableCatalog(StorageClients clients) : ICatalog
{
    private const string ScenePartition = "scene";
    private const string GridPartition = "grid";
    private const string UploadPartition = "upload";
    private const int MaxClaimAttempts = 8;
    private const string RejectionPartition = "rejection";
    private const string Json = "Json";
    private const int JsonChunk = 30_000;
    private static readonly DateTimeOffset ReleasedLease = DateTimeOffset.UnixEpoch; // Table dates start in 1601: not MinValue

    private readonly CreatedOnce<TableClient> _tables = new(async n =>
    {
        var client = clients.Tables.GetTableClient(n);
        await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        return client;
    });

    /// <inheritdoc />
    public async Task<SceneRecord?> GetSceneAsync(SceneId id, CancellationToken cancellationToken)
    {
        var entity = await GetAsync(StorageNames.ScenesTable, ScenePartition, id.Value, cancellationToken).ConfigureAwait(false);
        return entity is null ? null : FromJson<SceneRecord>(entity);
    }

    /// <inheritdoc />
    public async Task<SceneRecord> ClaimSceneAsync(SceneRecord scene, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scene);
        var table = await TableAsync(StorageNames.ScenesTable).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(SceneEntity(scene), cancellationToken).ConfigureAwait(false);
            return scene;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await GetSceneAsync(scene.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Scene {scene.Id} conflicted on insert but cannot be read.", ex);
        }
    }

    /// <inheritdoc />
    public async Task<bool> SaveSceneAsync(SceneRecord scene, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scene);
        var table = await TableAsync(StorageNames.ScenesTable).ConfigureAwait(false);
        var entity = SceneEntity(scene);
        for (var attempt = 1; ; attempt++)
        {
            var stored = await GetAsync(StorageNames.ScenesTable, ScenePartition, scene.Id.Value, cancellationToken).ConfigureAwait(false);
            try
            {
                if (stored is null)
                {
                    await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                    return true;
                }

                if (StoredStatus(stored) > scene.Status)
                {
                    return false; // never backwards: a late write from an earlier stage
                }

                await table.UpdateEntityAsync(entity, stored.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException ex) when ((ex.Status is 409 or 412 or 404) && attempt < MaxClaimAttempts)
            {
                // another writer changed the scene between our read and write: read it again and decide again
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SceneRecord>> ListScenesAsync(string? aoi, CancellationToken cancellationToken)
    {
        var table = await TableAsync(StorageNames.ScenesTable).ConfigureAwait(false);
        var filter = aoi is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {ScenePartition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {ScenePartition} and Aoi eq {aoi}");
        var scenes = new List<SceneRecord>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            scenes.Add(FromJson<SceneRecord>(entity));
        }

        return scenes;
    }

    /// <inheritdoc />
    public async Task<AoiGrid?> GetGridAsync(string aoi, CancellationToken cancellationToken)
    {
        var entity = await GetAsync(StorageNames.ScenesTable, GridPartition, aoi, cancellationToken).ConfigureAwait(false);
        return entity is null ? null : FromJson<AoiGrid>(entity);
    }

    /// <inheritdoc />
    public async Task<AoiGrid> GetOrAddGridAsync(AoiGrid proposed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        var table = await TableAsync(StorageNames.ScenesTable).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(new TableEntity(GridPartition, proposed.Aoi) { [Json] = PipelineJson.Serialize(proposed) }, cancellationToken)
                .ConfigureAwait(false);
            return proposed;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await GetGridAsync(proposed.Aoi, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Grid {proposed.Aoi} conflicted on insert but cannot be read.", ex);
        }
    }

    /// <inheritdoc />
    public async Task RecordUploadAsync(string blobName, SceneId sceneId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(StorageNames.ScenesTable).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(UploadPartition, NameKey(blobName))
        {
            ["BlobName"] = blobName,
            ["SceneId"] = sceneId.Value,
        }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SceneId?> GetUploadAsync(string blobName, CancellationToken cancellationToken)
    {
        var entity = await GetAsync(StorageNames.ScenesTable, UploadPartition, NameKey(blobName), cancellationToken).ConfigureAwait(false);
        return entity?.GetString("SceneId") is { } id ? SceneId.Parse(id) : null;
    }

    /// <inheritdoc />
    public async Task SaveTileResultAsync(TileResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var table = await TableAsync(StorageNames.TilesTable).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(result.SceneId.Value, result.Tile.ToString())
        {
            ["Flagged"] = result.Flagged,
            ["Probability"] = result.Probability,
            ["ModelVersion"] = result.ModelVersion,
            ["ModelSha256"] = result.ModelSha256,
            [Json] = PipelineJson.Serialize(result),
        }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TileResult>> GetTileResultsAsync(SceneId sceneId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(StorageNames.TilesTable).ConfigureAwait(false);
        var results = new List<TileResult>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {sceneId.Value}"),
                           cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            results.Add(FromJson<TileResult>(entity));
        }

        return results;
    }

    /// <inheritdoc />
    public async Task RecordBatchArrivalAsync(SceneId sceneId, int batchIndex, CancellationToken cancellationToken)
    {
        var table = await TableAsync(StorageNames.TilesTable).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(BatchPartition(sceneId), batchIndex.ToString("D6", CultureInfo.InvariantCulture)),
            TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> CountBatchArrivalsAsync(SceneId sceneId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(StorageNames.TilesTable).ConfigureAwait(false);
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {BatchPartition(sceneId)}"),
                           select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }

    /// <inheritdoc />
    public async Task<StepClaim> ClaimStepAsync(
        SceneId sceneId, string step, string claimant, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(step);
        var table = await TableAsync(StorageNames.ScenesTable).ConfigureAwait(false);
        var claim = new StepClaim(claimant, now + lease, false);
        var entity = new TableEntity(step, sceneId.Value) { ["Claimant"] = claimant, ["LeaseUntil"] = claim.LeaseUntil, ["Done"] = false };
        for (var attempt = 1; ; attempt++)
        {
            var stored = await GetAsync(StorageNames.ScenesTable, step, sceneId.Value, cancellationToken).ConfigureAwait(false);
            try
            {
                if (stored is null)
                {
                    await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                    return claim;
                }

                var current = ToStepClaim(stored);
                if (current.Done || (current.Claimant != claimant && current.LeaseUntil > now))
                {
                    return current;
                }

                await table.UpdateEntityAsync(entity, stored.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return claim;
            }
            catch (RequestFailedException ex) when ((ex.Status is 409 or 412 or 404) && attempt < MaxClaimAttempts)
            {
                // another attempt wrote the claim between our read and write: read it again and decide again
            }
        }
    }

    /// <inheritdoc />
    public async Task<StepClaim?> GetStepAsync(SceneId sceneId, string step, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(step);
        var stored = await GetAsync(StorageNames.ScenesTable, step, sceneId.Value, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : ToStepClaim(stored);
    }

    /// <inheritdoc />
    public async Task<bool> CompleteStepAsync(SceneId sceneId, string step, string claimant, CancellationToken cancellationToken)
    {
        var stored = await GetAsync(StorageNames.ScenesTable, step, sceneId.Value, cancellationToken).ConfigureAwait(false);
        if (stored is null || !ToStepClaim(stored).IsHeldBy(claimant))
        {
            return false;
        }

        var table = await TableAsync(StorageNames.ScenesTable).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(step, sceneId.Value) { ["Done"] = true }, stored.ETag, TableUpdateMode.Merge, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false; // taken over meanwhile
        }
    }

    /// <inheritdoc />
    public async Task ReleaseStepAsync(SceneId sceneId, string step, string claimant, CancellationToken cancellationToken)
    {
        var stored = await GetAsync(StorageNames.ScenesTable, step, sceneId.Value, cancellationToken).ConfigureAwait(false);
        if (stored is null || !ToStepClaim(stored).IsHeldBy(claimant))
        {
            return;
        }

        var table = await TableAsync(StorageNames.ScenesTable).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(step, sceneId.Value) { ["LeaseUntil"] = ReleasedLease }, stored.ETag, TableUpdateMode.Merge, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            // taken over meanwhile: nothing of ours to release
        }
    }

    /// <inheritdoc />
    public async Task AddRejectionAsync(Rejection rejection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        var table = await TableAsync(StorageNames.RejectionsTable).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(RejectionPartition, rejection.Key)
        {
            ["Stage"] = rejection.Stage,
            ["Source"] = rejection.Source,
            ["Code"] = rejection.Code,
            ["Message"] = rejection.Message,
            ["QuarantineBlob"] = rejection.QuarantineBlob,
            ["RejectedAt"] = rejection.RejectedAt,
        }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Rejection?> GetRejectionAsync(string key, CancellationToken cancellationToken)
    {
        var entity = await GetAsync(StorageNames.RejectionsTable, RejectionPartition, key, cancellationToken).ConfigureAwait(false);
        return entity is null ? null : ToRejection(entity);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Rejection>> ListRejectionsAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(StorageNames.RejectionsTable).ConfigureAwait(false);
        var list = new List<Rejection>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {RejectionPartition}"),
                           cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(ToRejection(entity));
        }

        return [.. list.OrderByDescending(r => r.RejectedAt)];
    }

    /// <inheritdoc />
    public async Task AppendCustodyAsync(CustodyEvent custodyEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(custodyEvent);
        var table = await TableAsync(StorageNames.CustodyTable).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(new TableEntity(custodyEvent.SceneId.Value, CustodyKeys.Key(custodyEvent))
            {
                ["Step"] = custodyEvent.Step,
                ["Actor"] = custodyEvent.Actor,
                ["At"] = custodyEvent.At,
                ["Detail"] = custodyEvent.Detail,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // The step is already recorded: custody keeps the first record of each step.
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CustodyEvent>> GetCustodyAsync(SceneId sceneId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(StorageNames.CustodyTable).ConfigureAwait(false);
        var list = new List<CustodyEvent>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {sceneId.Value}"),
                           cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(new CustodyEvent(sceneId, e.GetString("Step") ?? e.RowKey, e.GetString("Actor") ?? string.Empty, e.GetDateTimeOffset("At") ?? default, e.GetString("Detail") ?? string.Empty));
        }

        return CustodyEvent.InOrder(list);
    }

    /// <inheritdoc />
    public async Task SaveReviewAsync(SiteReview review, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(review);
        var table = await TableAsync(StorageNames.ReviewsTable).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(review.SceneId.Value, review.SiteId)
        {
            ["Aoi"] = review.Aoi,
            ["Verdict"] = review.Verdict.ToString().ToLowerInvariant(),
            ["Analyst"] = review.Analyst,
            ["At"] = review.At,
            [Json] = PipelineJson.Serialize(review),
        }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SiteReview>> GetReviewsAsync(SceneId sceneId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(StorageNames.ReviewsTable).ConfigureAwait(false);
        var list = new List<SiteReview>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {sceneId.Value}"),
                           cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(FromJson<SiteReview>(entity));
        }

        return list;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SiteReview>> ListReviewsAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(StorageNames.ReviewsTable).ConfigureAwait(false);
        var list = new List<SiteReview>();
        await foreach (var entity in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(FromJson<SiteReview>(entity));
        }

        return [.. list.OrderBy(r => r.At)];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSiteTrack>> GetSiteTracksAsync(string aoi, CancellationToken cancellationToken)
    {
        var table = await TableAsync(StorageNames.SitesTable).ConfigureAwait(false);
        var list = new List<StoredSiteTrack>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {aoi}"),
                           cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(new StoredSiteTrack(FromJson<SiteTrack>(entity), entity.ETag.ToString()));
        }

        return list;
    }

    /// <inheritdoc />
    public async Task<bool> TrySaveSiteTrackAsync(SiteTrack track, string? version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(track);
        var table = await TableAsync(StorageNames.SitesTable).ConfigureAwait(false);
        var entity = new TableEntity(track.Aoi, track.Id)
        {
            ["FirstSceneId"] = track.FirstSceneId.Value,
            [Json] = PipelineJson.Serialize(track),
        };
        try
        {
            if (version is null)
            {
                await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await table.UpdateEntityAsync(entity, new ETag(version), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task SaveSightingAsync(string aoi, string trackId, SiteSighting sighting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sighting);
        var table = await TableAsync(StorageNames.SitesTable).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(HistoryPartition(aoi, trackId),
            string.Create(CultureInfo.InvariantCulture, $"{sighting.AcquiredAt.UtcTicks:D19}~{sighting.SceneId.Value}"))
        {
            ["Outcome"] = sighting.Outcome.ToString(),
            [Json] = PipelineJson.Serialize(sighting),
        }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SiteSighting>> GetSightingsAsync(string aoi, string trackId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(StorageNames.SitesTable).ConfigureAwait(false);
        var list = new List<SiteSighting>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {HistoryPartition(aoi, trackId)}"),
                           cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(FromJson<SiteSighting>(entity));
        }

        return [.. list.OrderBy(s => s.AcquiredAt)];
    }

    /// <inheritdoc />
    public async Task<SceneTracking> GetOrAddSceneTrackingAsync(SceneTracking proposed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        var table = await TableAsync(StorageNames.SitesTable).ConfigureAwait(false);
        var entity = new TableEntity(ScenesPartition(proposed.Aoi), proposed.SceneId.Value);
        var json = PipelineJson.Serialize(proposed);
        for (int i = 0, chunk = 0; i < json.Length; i += JsonChunk, chunk++)
        {
            entity[chunk == 0 ? Json : Json + chunk.ToString(CultureInfo.InvariantCulture)] = json.Substring(i, Math.Min(JsonChunk, json.Length - i));
        }

        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return proposed;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var stored = await GetAsync(StorageNames.SitesTable, ScenesPartition(proposed.Aoi), proposed.SceneId.Value, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Tracking of scene {proposed.SceneId} conflicted on insert but cannot be read.", ex);
            var text = new StringBuilder(stored.GetString(Json));
            for (var chunk = 1; stored.GetString(Json + chunk.ToString(CultureInfo.InvariantCulture)) is { } part; chunk++)
            {
                text.Append(part);
            }

            return JsonSerializer.Deserialize<SceneTracking>(text.ToString(), PipelineJson.Options)
                ?? throw new InvalidOperationException($"Tracking of scene {proposed.SceneId} is empty.", ex);
        }
    }

    /// <summary>Creates every table the pipeline uses (idempotent).</summary>
    public async Task EnsureTablesAsync(CancellationToken cancellationToken)
    {
        foreach (var name in StorageNames.Tables)
        {
            await clients.Tables.GetTableClient(name).CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string BatchPartition(SceneId sceneId) => sceneId.Value + "-batches";

    // AOI names are [A-Za-z0-9_-], so '~' cannot make two partitions collide.
    private static string HistoryPartition(string aoi, string trackId) => $"{aoi}~{trackId}";

    private static string ScenesPartition(string aoi) => $"{aoi}~scenes";

    private static string NameKey(string blobName) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(blobName));

    private static TableEntity SceneEntity(SceneRecord scene) => new(ScenePartition, scene.Id.Value)
    {
        ["Aoi"] = scene.Aoi,
        ["Status"] = scene.Status.ToString(),
        [Json] = PipelineJson.Serialize(scene),
    };

    // The Status column, written beside the JSON on every scene row (the JSON's status when the column is unreadable).
    private static SceneStatus StoredStatus(TableEntity entity) =>
        Enum.TryParse<SceneStatus>(entity.GetString("Status"), ignoreCase: false, out var status) && Enum.IsDefined(status)
            ? status
            : FromJson<SceneRecord>(entity).Status;

    private static T FromJson<T>(TableEntity entity) =>
        JsonSerializer.Deserialize<T>(entity.GetString(Json) ?? "null", PipelineJson.Options)
        ?? throw new InvalidOperationException($"Row {entity.PartitionKey}/{entity.RowKey} has no {typeof(T).Name}.");

    // Claims written before leases existed have Announced instead of Done and no LeaseUntil (so they lapsed long ago).
    private static StepClaim ToStepClaim(TableEntity e) => new(
        e.GetString("Claimant") ?? string.Empty, e.GetDateTimeOffset("LeaseUntil") ?? ReleasedLease, e.GetBoolean("Done") ?? e.GetBoolean("Announced") ?? false);

    private static Rejection ToRejection(TableEntity e) => new(
        e.RowKey, e.GetString("Stage") ?? string.Empty, e.GetString("Source") ?? string.Empty, e.GetString("Code") ?? string.Empty,
        e.GetString("Message") ?? string.Empty, e.GetString("QuarantineBlob"), e.GetDateTimeOffset("RejectedAt") ?? default);

    private async Task<TableEntity?> GetAsync(string tableName, string partition, string row, CancellationToken cancellationToken)
    {
        var table = await TableAsync(tableName).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    private Task<TableClient> TableAsync(string name) => _tables.GetAsync(name);
}
