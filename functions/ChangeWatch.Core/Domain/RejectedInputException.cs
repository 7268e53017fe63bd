namespace ChangeWatch.Core.Domain;

/// <summary>
/// The one exception type for bad input. It carries a stable <see cref="Code"/> from <see cref="RejectionCode"/>
/// that ends up in the rejection record and the log. Handlers catch it, quarantine the input and keep running;
/// any other exception is treated as transient and left to the queue's retry and poison handling.
/// </summary>
public sealed class RejectedInputException : Exception
{
    /// <summary>Creates the exception with a stable code and a message for people.</summary>
    public RejectedInputException(string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        Code = code;
    }

    /// <summary>The stable rejection code.</summary>
    public string Code { get; }
}
