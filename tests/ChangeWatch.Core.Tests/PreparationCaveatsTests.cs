using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Reporting;

namespace ChangeWatch.Core.Tests;

public sealed class PreparationCaveatsTests
{
    private static readonly SceneId Scene = SceneId.Parse("aaaaaaaaaaaaaaaa");
    private static readonly SceneId Baseline = SceneId.Parse("bbbbbbbbbbbbbbbb");

    private static TileResult Tile(int col, bool flagged = false, bool assessable = true, double? cloud = 0, double? shadow = 0,
        bool? hazeBefore = false, bool? hazeAfter = false, CoRegistrationOutcome? outcome = CoRegistrationOutcome.NotNeeded,
        double? residual = 0.2) => new()
        {
            SceneId = Scene,
            Tile = new TileId(0, col),
            BaselineId = Baseline,
            Probability = flagged ? 0.9 : 0.1,
            Flagged = flagged,
            Assessable = assessable,
            MaskedFraction = (cloud ?? 0) + (shadow ?? 0),
            ChangedFraction = 0,
            CloudFraction = cloud,
            CloudShadowFraction = shadow,
            HazeBefore = hazeBefore,
            HazeAfter = hazeAfter,
            RegistrationOutcome = outcome,
            CoRegistrationResidual = residual,
            ModelVersion = "v1",
            ModelSha256 = new string('c', 64),
        };

    [Fact]
    public void ObjectEvidence_NoTileFlaggedByIt_GivesNoCaveat_ElseCountsThemAmongTheFlagged()
    {
        Assert.Null(PreparationCaveats.ObjectEvidence([Tile(0), Tile(1, flagged: true)]));

        var caveat = PreparationCaveats.ObjectEvidence(
            [Tile(0, flagged: true) with { FlaggedByObjectEvidence = true }, Tile(1, flagged: true), Tile(2, flagged: true) with { FlaggedByObjectEvidence = true }, Tile(3)]);

        Assert.NotNull(caveat);
        Assert.StartsWith("2 of 3 flagged tiles were flagged by object evidence", caveat, StringComparison.Ordinal);
        Assert.Contains("vehicles' footprint", caveat, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_CleanMeasuredTiles_GivesNoCaveat()
    {
        Assert.Empty(PreparationCaveats.Build([Tile(0), Tile(1, flagged: true), Tile(2)]));
    }

    [Fact]
    public void Build_NothingMeasured_GivesNoCaveat()
    {
        Assert.Empty(PreparationCaveats.Build(
            [Tile(0, cloud: null, shadow: null, hazeBefore: null, hazeAfter: null, outcome: null, residual: null)]));
    }

    [Fact]
    public void Build_CloudsAndShadowInTwoOfFourAssessableTiles_SaysHowManyTheLargestShareAndFlagged()
    {
        var caveat = Assert.Single(PreparationCaveats.Build(
        [
            Tile(0, cloud: 0.2, shadow: 0.05, flagged: true),
            Tile(1, shadow: 0.1),
            Tile(2),
            Tile(3),
            Tile(4, assessable: false, cloud: 0.9),
        ]));

        Assert.Equal("Clouds or cloud shadow were masked in 2 of 4 assessable tiles (up to 25 % of a tile), 1 of them flagged; "
            + "change under them was not compared, so a site there may be missed or look smaller than it is.", caveat);
    }

    [Fact]
    public void Build_HazeInTheSceneOnly_NamesTheSceneNotTheBaseline()
    {
        var caveat = Assert.Single(PreparationCaveats.Build([Tile(0, hazeAfter: true), Tile(1, hazeAfter: true, flagged: true), Tile(2)]));

        Assert.StartsWith("The scene looked hazy against the baseline in 2 of 3 assessable tiles, 1 of them flagged;", caveat, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_HazeInBothDates_GivesOneCaveatPerDate_BaselineFirst()
    {
        var caveats = PreparationCaveats.Build([Tile(0, hazeBefore: true), Tile(1, hazeAfter: true)]);

        Assert.Equal(2, caveats.Count);
        Assert.StartsWith("The baseline looked hazy against the scene in 1 of 2 assessable tiles, none of them flagged;", caveats[0], StringComparison.Ordinal);
        Assert.StartsWith("The scene looked hazy against the baseline in 1 of 2", caveats[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RefusedCoRegistration_CountsEachReason()
    {
        var caveat = Assert.Single(PreparationCaveats.Build(
        [
            Tile(0, outcome: CoRegistrationOutcome.RefusedLargeShift, residual: 0.4, flagged: true),
            Tile(1, outcome: CoRegistrationOutcome.RefusedWeakPeak, residual: null),
            Tile(2, outcome: CoRegistrationOutcome.RefusedWeakPeak, residual: null),
            Tile(3, outcome: CoRegistrationOutcome.Applied),
        ]));

        Assert.Equal("Co-registration was refused in 3 of 4 assessable tiles (1 with an estimated shift too large to be misregistration, "
            + "2 with a correlation peak too weak to trust), 1 of them flagged; they were compared unshifted, so misregistration there can read as change.", caveat);
    }

    [Fact]
    public void Build_ResidualOfOnePixelOrMoreAfterApplying_SaysTheLargest_RefusedTilesNotCountedTwice()
    {
        var caveats = PreparationCaveats.Build(
        [
            Tile(0, outcome: CoRegistrationOutcome.Applied, residual: 1.34),
            Tile(1, outcome: CoRegistrationOutcome.Applied, residual: 0.99),
            Tile(2, outcome: CoRegistrationOutcome.RefusedLargeShift, residual: 12.0),
        ]);

        Assert.Equal(2, caveats.Count);
        Assert.StartsWith("After co-registration up to 1.3 px of misregistration remained in 1 of 3 assessable tiles, none of them flagged;", caveats[1], StringComparison.Ordinal);
    }
}
