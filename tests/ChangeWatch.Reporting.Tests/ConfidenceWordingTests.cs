using ChangeWatch.Core.Reporting;

namespace ChangeWatch.Reporting.Tests;

public sealed class ConfidenceWordingTests
{
    [Theory]
    [InlineData(0.0, "remote")]
    [InlineData(0.0499, "remote")]
    [InlineData(0.05, "very unlikely")]
    [InlineData(0.1999, "very unlikely")]
    [InlineData(0.20, "unlikely")]
    [InlineData(0.4499, "unlikely")]
    [InlineData(0.45, "roughly even chance")]
    [InlineData(0.5499, "roughly even chance")]
    [InlineData(0.55, "likely")]
    [InlineData(0.7999, "likely")]
    [InlineData(0.80, "very likely")]
    [InlineData(0.9499, "very likely")]
    [InlineData(0.95, "almost certain")]
    [InlineData(1.0, "almost certain")]
    public void Band_ProbabilityAtBandEdges_GivesTheBandWord(double probability, string expected) =>
        Assert.Equal(expected, ConfidenceWording.Band(probability));

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    public void Band_NotAProbability_Throws(double probability) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfidenceWording.Band(probability));

    [Fact]
    public void Assess_LikelyBuildUp_ReadsAsHedgedSentence() =>
        Assert.Equal("assessed as likely change of interest (object build-up)", ConfidenceWording.Assess(0.7, "object-build-up"));

    [Fact]
    public void Assess_EvenChance_ReadsGrammatically() =>
        Assert.Equal("assessed as a roughly even chance of change of interest (earthworks)", ConfidenceWording.Assess(0.5, "earthworks"));

    [Fact]
    public void Assess_NoChangeType_LeavesOutTheParenthesis() =>
        Assert.Equal("assessed as almost certain change of interest", ConfidenceWording.Assess(0.99, null));

    [Theory]
    [InlineData("object-build-up", "object build-up")]
    [InlineData("earthworks-construction", "earthworks/construction")]
    [InlineData("some-new-label", "some new label")]
    public void ChangeTypeWords_Label_ReadsAsWords(string label, string expected) =>
        Assert.Equal(expected, ConfidenceWording.ChangeTypeWords(label));
}
