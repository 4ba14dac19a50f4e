using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace RegistryExchange.Authority.Audit;

// Pure logic of the tamper-evident log (docs/decisions/0007): no ASP.NET, no EF Core. The store and the service
// translate rows to these records and back.

/// <summary>Who did it: the caller's client id and kind, and its school when it is a school agent.</summary>
public sealed record AuditActor(string ClientId, string Kind, string? SchoolCode)
{
    /// <summary>The authority's own jobs.</summary>
    public static AuditActor System { get; } = new("system", "system", null);
}

/// <summary>
/// One entry as it is hashed: every field, and its subjects sorted ordinally without duplicates.
/// <see cref="SubjectCount"/> is the stored count, hashed beside the subjects so neither can change alone.
/// </summary>
public sealed record AuditChainEntry(
    long Sequence,
    DateTime RecordedAt,
    AuditActor Actor,
    string Action,
    string Purpose,
    string Detail,
    int SubjectCount,
    IReadOnlyList<string> Subjects,
    byte[] PreviousHash,
    byte[] Hash);

public static class AuditChain
{
    public const int HashLength = 32;

    /// <summary>The previous hash of entry 1.</summary>
    public static byte[] Genesis => new byte[HashLength];

    // Bumped if the encoding ever changes, so an old entry can never be read as a new one.
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("registryexchange.audit.v1");

    /// <summary>Distinct keys in ordinal order: the one order every provider and every verifier agrees on.</summary>
    public static string[] Canonical(IEnumerable<string> subjects)
    {
        var keys = subjects.Distinct(StringComparer.Ordinal).ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        return keys;
    }

    /// <summary>
    /// SHA-256 over a length-prefixed encoding of the sequence, the previous hash, every field and the subjects
    /// (already canonical). Length prefixes make field boundaries unambiguous: "ab"+"c" never hashes like "a"+"bc".
    /// </summary>
    public static byte[] ComputeHash(long sequence, byte[] previousHash, DateTime recordedAt, AuditActor actor,
        string action, string purpose, string detail, int subjectCount, IReadOnlyList<string> subjects)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendBytes(hash, Domain);
        AppendInt64(hash, sequence);
        AppendBytes(hash, previousHash);
        AppendInt64(hash, TimestampMicros(recordedAt));
        AppendText(hash, actor.ClientId);
        AppendText(hash, actor.Kind);
        AppendOptionalText(hash, actor.SchoolCode);
        AppendText(hash, action);
        AppendText(hash, purpose);
        AppendText(hash, detail);
        AppendInt64(hash, subjectCount);
        AppendInt64(hash, subjects.Count);
        foreach (var subject in subjects)
        {
            AppendText(hash, subject);
        }
        return hash.GetHashAndReset();
    }

    public static byte[] ComputeHash(AuditChainEntry e) =>
        ComputeHash(e.Sequence, e.PreviousHash, e.RecordedAt, e.Actor, e.Action, e.Purpose, e.Detail, e.SubjectCount, e.Subjects);

    /// <summary>Microseconds since the Unix epoch: the finest precision every provider keeps.</summary>
    public static long TimestampMicros(DateTime utc) => (utc.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary><paramref name="utc"/> cut to whole microseconds, as it reads back from any store.</summary>
    public static DateTime ToStoredPrecision(DateTime utc)
    {
        var ticks = utc.ToUniversalTime().Ticks;
        return new DateTime(ticks - ticks % 10, DateTimeKind.Utc);
    }

    public static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    private static void AppendInt64(IncrementalHash hash, long value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(buffer, value);
        hash.AppendData(buffer);
    }

    private static void AppendBytes(IncrementalHash hash, ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }

    private static void AppendText(IncrementalHash hash, string text) => AppendBytes(hash, Encoding.UTF8.GetBytes(text));

    // A missing value and an empty one must hash differently.
    private static void AppendOptionalText(IncrementalHash hash, string? text)
    {
        hash.AppendData(text is null ? [0] : [1]);
        if (text is not null)
        {
            AppendText(hash, text);
        }
    }
}
