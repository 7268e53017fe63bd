namespace ChangeWatch.Core.Domain;

/// <summary>
/// A scene's identity: the first 16 lowercase hex characters of the SHA-256 of the original file, so that an
/// upload seen twice (under any name) is one scene.
/// </summary>
public readonly record struct SceneId
{
    private SceneId(string value) => Value = value;

    /// <summary>16 lowercase hex characters.</summary>
    public string Value { get; }

    /// <summary>Derives the id from a full SHA-256 digest in hex (64 characters).</summary>
    public static SceneId FromSha256(string sha256Hex)
    {
        ArgumentNullException.ThrowIfNull(sha256Hex);
        if (sha256Hex.Length != 64 || !IsLowerHex(sha256Hex))
        {
            throw new ArgumentException("Expected 64 lowercase hex characters.", nameof(sha256Hex));
        }

        return new SceneId(sha256Hex[..16]);
    }

    /// <summary>Parses a 16-character id (as stored in tables and messages).</summary>
    public static SceneId Parse(string value)
    {
        if (value is null || value.Length != 16 || !IsLowerHex(value))
        {
            throw new RejectedInputException(RejectionCode.InvalidMessage, "A scene id is 16 lowercase hex characters.");
        }

        return new SceneId(value);
    }

    private static bool IsLowerHex(string s) => s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <inheritdoc />
    public override string ToString() => Value;
}
