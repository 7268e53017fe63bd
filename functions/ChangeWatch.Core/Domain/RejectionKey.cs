using System.Security.Cryptography;
using System.Text;

namespace ChangeWatch.Core.Domain;

/// <summary>Derives a rejection's table key from what was rejected, so that rejecting the same thing twice writes one record.</summary>
public static class RejectionKey
{
    /// <summary>Source text of an upload: <c>incoming/{blobName}</c>.</summary>
    public static string UploadSource(string blobName) => "incoming/" + blobName;

    /// <summary>First 32 hex characters of the SHA-256 of <paramref name="source"/>.</summary>
    public static string For(string source) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..32];
}
