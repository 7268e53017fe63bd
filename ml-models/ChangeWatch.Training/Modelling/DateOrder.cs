namespace ChangeWatch.Training.Modelling;

/// <summary>
/// Which way round a resolution expert's training rows take the dates. <see cref="Forward"/>: as given (before, after).
/// <see cref="Both"/>: half of each pair's rows as given and half with the dates swapped, labels unchanged, so the expert
/// learns change that reads the same either way. With <c>--expert-orders forward,both</c> each expert's 3-fold
/// cross-validation chooses. In leave-one-site-out folds (seeds 1-3) OSCD's chose both in 20 of 24 folds and LEVIR's and
/// SZTAKI's forward in every fold; trained on all eight OSCD sites it chose forward (CV pixel F1 0.421 against 0.415). Over
/// three deals of the sites (<c>--expert-repeats 3</c>) it chose both on all eight (0.420 against 0.418): model v8's OSCD
/// expert (docs/model-evaluation.md, "Session 9" and "Model v8").
/// </summary>
internal enum DateOrder
{
    /// <summary>Rows with the dates as given.</summary>
    Forward,

    /// <summary>Half the rows with the dates as given, half with them swapped.</summary>
    Both,
}

/// <summary>Parsing and naming of <see cref="DateOrder"/> for the command line and the model card.</summary>
internal static class DateOrders
{
    /// <summary>"forward" or "both".</summary>
    /// <exception cref="FormatException">Another name.</exception>
    public static DateOrder Parse(string name) => name.Trim() switch
    {
        "forward" => DateOrder.Forward,
        "both" => DateOrder.Both,
        var other => throw new FormatException($"unknown date order '{other}' (forward, both)"),
    };

    /// <summary>The command-line name.</summary>
    public static string Name(this DateOrder order) => order == DateOrder.Both ? "both" : "forward";
}
