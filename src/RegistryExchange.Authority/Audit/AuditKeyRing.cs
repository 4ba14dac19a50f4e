using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RegistryExchange.Authority.Audit;

/// <summary>
/// The audit checkpoint keys: ES256 (P-256) key pairs in a directory, one pair of files per key:
/// <c>audit-&lt;kid&gt;.key.pem</c> (private, owner-only) and <c>audit-&lt;kid&gt;.pub.pem</c>. The newest private key
/// signs; every public key verifies, so a key retired by deleting its private file still verifies the checkpoints
/// it signed. A key is created on first start. Instances on one database must share the directory (or copies of it).
/// </summary>
public sealed class AuditKeyRing : IDisposable
{
    private const string Prefix = "audit-";
    private const string PrivateSuffix = ".key.pem";
    private const string PublicSuffix = ".pub.pem";
    private const string Algorithm = "ES256";
    private const string TokenType = "rx-audit-checkpoint+jwt";

    private readonly string _directory;
    private readonly ConcurrentDictionary<string, ECDsa> _publicKeys = new(StringComparer.Ordinal);
    private readonly ECDsa _signingKey;

    public AuditKeyRing(string directory, TimeProvider time)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
        (ActiveKeyId, _signingKey) = LoadNewestPrivateKey() ?? CreateKey(time);
        LoadPublicKeys();
    }

    /// <summary>The key that signs new checkpoints.</summary>
    public string ActiveKeyId { get; }

    /// <summary>A compact JWS over {sequence, hash, signed_at} with the active key.</summary>
    public string Sign(AuditCheckpointClaims claims)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = Algorithm,
            ["typ"] = TokenType,
            ["kid"] = ActiveKeyId,
        });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sequence"] = claims.Sequence,
            ["hash"] = claims.HashHex,
            ["signed_at"] = claims.SignedAtUnixSeconds,
        });
        var signingInput = Base64Url(header) + "." + Base64Url(payload);
        // .NET signs in IEEE P1363 form (r || s), which is what JWS ES256 wants.
        var signature = _signingKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>The claims of a checkpoint JWS signed by one of the keys, or null: malformed, other algorithm, unknown key, bad signature.</summary>
    public AuditCheckpointClaims? Verify(string jws)
    {
        var parts = jws.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        try
        {
            using var header = JsonDocument.Parse(FromBase64Url(parts[0]));
            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() != Algorithm
                || !header.RootElement.TryGetProperty("kid", out var kid) || kid.GetString() is not { } keyId
                || PublicKey(keyId) is not { } key)
            {
                return null;
            }
            var signature = FromBase64Url(parts[2]);
            if (!key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256))
            {
                return null;
            }
            using var payload = JsonDocument.Parse(FromBase64Url(parts[1]));
            var root = payload.RootElement;
            return new AuditCheckpointClaims(
                root.GetProperty("sequence").GetInt64(),
                root.GetProperty("hash").GetString() ?? "",
                root.GetProperty("signed_at").GetInt64());
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The key id a compact JWS names in its header, or "" when it names none.</summary>
    public static string KeyIdOf(string jws)
    {
        try
        {
            using var header = JsonDocument.Parse(FromBase64Url(jws.Split('.')[0]));
            return header.RootElement.TryGetProperty("kid", out var kid) ? kid.GetString() ?? "" : "";
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        _signingKey.Dispose();
        foreach (var key in _publicKeys.Values)
        {
            key.Dispose();
        }
    }

    private ECDsa? PublicKey(string keyId)
    {
        if (_publicKeys.TryGetValue(keyId, out var key))
        {
            return key;
        }
        // Another instance sharing the directory may have created a key since this one started.
        LoadPublicKeys();
        return _publicKeys.GetValueOrDefault(keyId);
    }

    private void LoadPublicKeys()
    {
        foreach (var file in Directory.EnumerateFiles(_directory, Prefix + "*" + PublicSuffix))
        {
            var keyId = KeyIdFromFile(file, PublicSuffix);
            if (_publicKeys.ContainsKey(keyId))
            {
                continue;
            }
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(file));
            if (!_publicKeys.TryAdd(keyId, key))
            {
                key.Dispose();
            }
        }
    }

    private (string, ECDsa)? LoadNewestPrivateKey()
    {
        // Key ids start with their creation time, so the ordinal maximum is the newest.
        var newest = Directory.EnumerateFiles(_directory, Prefix + "*" + PrivateSuffix)
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .LastOrDefault();
        if (newest is null)
        {
            return null;
        }
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(newest));
        return (KeyIdFromFile(newest, PrivateSuffix), key);
    }

    private (string, ECDsa) CreateKey(TimeProvider time)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var thumbprint = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..12];
        var keyId = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + thumbprint;
        // The public half first: a private key is never in use before its public key can verify.
        WriteAtomically(Path.Combine(_directory, Prefix + keyId + PublicSuffix), key.ExportSubjectPublicKeyInfoPem(), secret: false);
        WriteAtomically(Path.Combine(_directory, Prefix + keyId + PrivateSuffix), key.ExportPkcs8PrivateKeyPem(), secret: true);
        return (keyId, key);
    }

    private static void WriteAtomically(string path, string content, bool secret)
    {
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // The private key is readable by its owner only, from the moment it exists.
            options.UnixCreateMode = secret
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }
        using (var writer = new StreamWriter(new FileStream(temporary, options)))
        {
            writer.Write(content);
        }
        File.Move(temporary, path, overwrite: false);
    }

    private static string KeyIdFromFile(string file, string suffix)
    {
        var name = Path.GetFileName(file);
        return name[Prefix.Length..^suffix.Length];
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", 0 => "", _ => throw new FormatException("Not base64url.") };
        return Convert.FromBase64String(padded);
    }
}
