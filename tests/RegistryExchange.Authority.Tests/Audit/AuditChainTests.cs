using System.Text;
using RegistryExchange.Authority.Audit;

namespace RegistryExchange.Authority.Tests.Audit;

/// <summary>The canonical encoding and the checkpoint signatures, without a database.</summary>
public sealed class AuditChainTests : IDisposable
{
    private static readonly DateTime At = new(2026, 9, 1, 8, 0, 0, DateTimeKind.Utc);
    private static readonly AuditActor School = new("school-T001", "school", "T001");
    private readonly string _keys = Path.Combine(Path.GetTempPath(), $"rx-audit-keys-{Guid.NewGuid():N}");
    private readonly ManualClock _clock = new(new DateTimeOffset(At));

    private static byte[] Hash(AuditActor? actor = null, string action = "feed.read", string purpose = "p", string detail = "d",
        string[]? subjects = null, long sequence = 1, DateTime? at = null)
    {
        var keys = AuditChain.Canonical(subjects ?? ["G1", "T001/a"]);
        return AuditChain.ComputeHash(sequence, AuditChain.Genesis, at ?? At, actor ?? School, action, purpose, detail, keys.Length, keys);
    }

    [Fact]
    public void Every_field_changes_the_hash()
    {
        var original = Hash();
        var variants = new[]
        {
            Hash(sequence: 2),
            Hash(at: At.AddTicks(10)),
            Hash(actor: School with { ClientId = "school-T002" }),
            Hash(actor: School with { Kind = "staff" }),
            Hash(actor: School with { SchoolCode = "T002" }),
            Hash(actor: School with { SchoolCode = null }),
            Hash(actor: School with { SchoolCode = "" }),
            Hash(action: "feed.reads"),
            Hash(purpose: "q"),
            Hash(detail: "e"),
            Hash(subjects: ["G1"]),
            Hash(subjects: ["G1", "T001/b"]),
        };
        Assert.All(variants, v => Assert.NotEqual(original, v));
        Assert.Equal(variants.Length, variants.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public void Field_boundaries_are_unambiguous()
    {
        Assert.NotEqual(Hash(purpose: "ab", detail: "c"), Hash(purpose: "a", detail: "bc"));
        Assert.NotEqual(Hash(subjects: ["ab", "c"]), Hash(subjects: ["a", "bc"]));
    }

    [Fact]
    public void Subjects_hash_in_one_order_whatever_order_they_come_in() =>
        Assert.Equal(Hash(subjects: ["T001/b", "G2", "G1", "G2"]), Hash(subjects: ["G1", "G2", "T001/b"]));

    [Fact]
    public void A_checkpoint_signature_verifies_and_names_its_key()
    {
        using var keys = new AuditKeyRing(_keys, _clock);
        var claims = new AuditCheckpointClaims(42, new string('a', 64), 1_800_000_000);

        var jws = keys.Sign(claims);

        Assert.Equal(claims, keys.Verify(jws));
        Assert.Equal(keys.ActiveKeyId, AuditKeyRing.KeyIdOf(jws));
        var header = Encoding.UTF8.GetString(FromBase64Url(jws.Split('.')[0]));
        Assert.Contains("\"alg\":\"ES256\"", header, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(_keys, "*.key.pem"));
        Assert.Single(Directory.GetFiles(_keys, "*.pub.pem"));
    }

    [Fact]
    public void The_key_persists_across_restarts()
    {
        string first;
        using (var keys = new AuditKeyRing(_keys, _clock))
        {
            first = keys.ActiveKeyId;
        }
        using var again = new AuditKeyRing(_keys, _clock);
        Assert.Equal(first, again.ActiveKeyId);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Directory.GetFiles(_keys, "*.key.pem").Single()));
        }
    }

    [Fact]
    public void Forged_checkpoint_signatures_are_rejected()
    {
        using var keys = new AuditKeyRing(_keys, _clock);
        var jws = keys.Sign(new AuditCheckpointClaims(7, new string('b', 64), 1_800_000_000)).Split('.');
        using var stranger = new AuditKeyRing(_keys + "-other", _clock);
        var payload = Base64Url(Encoding.UTF8.GetBytes("{\"sequence\":7,\"hash\":\"" + new string('c', 64) + "\",\"signed_at\":1800000000}"));
        var none = Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"none\",\"kid\":\"" + keys.ActiveKeyId + "\"}"));

        Assert.Null(keys.Verify(jws[0] + "." + payload + "." + jws[2]));               // tampered payload
        Assert.Null(keys.Verify(none + "." + jws[1] + "."));                            // alg=none
        Assert.Null(keys.Verify(stranger.Sign(new AuditCheckpointClaims(7, new string('b', 64), 1_800_000_000)))); // unknown key
        Assert.Null(keys.Verify("not a jws"));
        Directory.Delete(_keys + "-other", recursive: true);
    }

    public void Dispose()
    {
        if (Directory.Exists(_keys))
        {
            Directory.Delete(_keys, recursive: true);
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }
}
