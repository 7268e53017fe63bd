namespace ChangeWatch.Reporting.Review;

/// <summary>A review cannot be recorded: the scene, its report or the site does not exist, or the input is incomplete.</summary>
public sealed class ReviewException : Exception
{
    /// <summary>Creates the exception with a message an analyst can act on.</summary>
    public ReviewException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReviewException()
    {
    }

    /// <summary>Creates the exception with an inner cause.</summary>
    public ReviewException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
