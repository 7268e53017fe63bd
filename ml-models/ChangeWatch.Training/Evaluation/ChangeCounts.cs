namespace ChangeWatch.Training.Evaluation;

/// <summary>Pooled confusion counts of the change class, with precision, recall and F1 (0 when undefined).</summary>
internal struct ChangeCounts
{
    public long TruePositives;
    public long FalsePositives;
    public long FalseNegatives;
    public long TrueNegatives;

    public readonly double Precision => TruePositives + FalsePositives == 0 ? 0 : (double)TruePositives / (TruePositives + FalsePositives);

    public readonly double Recall => TruePositives + FalseNegatives == 0 ? 0 : (double)TruePositives / (TruePositives + FalseNegatives);

    public readonly double F1 => 2.0 * TruePositives + FalsePositives + FalseNegatives == 0
        ? 0
        : 2.0 * TruePositives / (2.0 * TruePositives + FalsePositives + FalseNegatives);

    public void Add(bool truth, bool predicted)
    {
        if (truth)
        {
            if (predicted)
            {
                TruePositives++;
            }
            else
            {
                FalseNegatives++;
            }
        }
        else if (predicted)
        {
            FalsePositives++;
        }
        else
        {
            TrueNegatives++;
        }
    }

    public void Add(ChangeCounts other)
    {
        TruePositives += other.TruePositives;
        FalsePositives += other.FalsePositives;
        FalseNegatives += other.FalseNegatives;
        TrueNegatives += other.TrueNegatives;
    }
}
