using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace RegistryExchange.Authority.Identity;

/// <summary>One ES256 key of the ring: published from <see cref="CreatedAt"/>, signs from <see cref="ActivatesAt"/>.</summary>
public sealed record RingKey(string KeyId, DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt, ECDsaSecurityKey SecurityKey);

/// <summary>What the ring looks like at one moment: the key that signs and every key a validator may meet.</summary>
public sealed record KeyRingState(RingKey Signing, IReadOnlyList<RingKey> Published)
{
    public SigningCredentials SigningCredentials { get; } = new(Signing.SecurityKey, SecurityAlgorithms.EcdsaSha256);
}

/// <summary>
/// Persistent ES256 signing keys in <c>Identity:KeyDirectory</c>, one JSON file per key, with rotation
/// (docs/decisions/0006): a successor is created <c>KeyPublishLead</c> before it starts signing, so it is in the JWKS
/// before any token carries its kid; the key it replaces stays published for <c>KeyOverlap</c>, then its file is
/// deleted. Several instances may share the directory: each reads all files, so they agree on the ring.
/// </summary>
public sealed class SigningKeyRing
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly IdentityOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SigningKeyRing> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RingKey> _loaded = new(StringComparer.Ordinal);
    private KeyRingState? _state;

    public SigningKeyRing(IOptions<IdentityOptions> options, TimeProvider time, ILogger<SigningKeyRing> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised after a refresh that changed the published keys or the signing key.</summary>
    public event Action<KeyRingState>? Changed;

    public string Directory => Path.GetFullPath(_options.KeyDirectory);

    /// <summary>The current ring, loading (and on first use creating) the keys when needed.</summary>
    public KeyRingState State
    {
        get
        {
            var state = _state;
            if (state is not null)
            {
                return state;
            }
            Refresh();
            return _state!;
        }
    }

    /// <summary>
    /// Re-reads the directory, creates a successor when one is due, deletes keys past their overlap window and
    /// decides which key signs now. Returns true when the ring changed.
    /// </summary>
    public bool Refresh()
    {
        KeyRingState next;
        bool changed;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            System.IO.Directory.CreateDirectory(Directory);
            var keys = LoadAll();
            if (keys.Count == 0)
            {
                // The very first key: nothing can have cached a JWKS yet, so it signs at once.
                keys.Add(Create(now, now));
            }
            keys.Sort((a, b) => a.ActivatesAt != b.ActivatesAt ? a.ActivatesAt.CompareTo(b.ActivatesAt) : string.CompareOrdinal(a.KeyId, b.KeyId));
            var signingIndex = keys.FindLastIndex(k => k.ActivatesAt <= now);
            if (signingIndex < 0)
            {
                signingIndex = 0; // the clock went back before every activation: keep signing with the oldest key
            }
            var signing = keys[signingIndex];

            // A key retires when its successor activates; it is removed once the overlap window after that has passed.
            for (var i = signingIndex - 1; i >= 0; i--)
            {
                var retiredAt = keys[i + 1].ActivatesAt;
                if (retiredAt + _options.KeyOverlap <= now)
                {
                    Delete(keys[i]);
                    keys.RemoveAt(i);
                    signingIndex--;
                }
            }

            var hasSuccessor = signingIndex < keys.Count - 1;
            if (!hasSuccessor && now >= signing.ActivatesAt + _options.KeyRotationInterval - _options.KeyPublishLead)
            {
                var activatesAt = Max(signing.ActivatesAt + _options.KeyRotationInterval, now + _options.KeyPublishLead);
                keys.Add(Create(now, activatesAt));
            }

            next = new KeyRingState(signing, keys.AsReadOnly());
            changed = _state is null
                || _state.Signing.KeyId != next.Signing.KeyId
                || !_state.Published.Select(k => k.KeyId).SequenceEqual(next.Published.Select(k => k.KeyId));
            if (changed)
            {
                _state = next;
            }
        }
        if (changed)
        {
            _logger.LogInformation("Signing key ring: {Signing} signs; published {Published}", next.Signing.KeyId,
                string.Join(", ", next.Published.Select(k => $"{k.KeyId} (signs from {k.ActivatesAt:u})")));
            Changed?.Invoke(next);
        }
        return changed;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private List<RingKey> LoadAll()
    {
        var keys = new List<RingKey>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*.key.json"))
        {
            var keyId = Path.GetFileName(path)[..^".key.json".Length];
            present.Add(keyId);
            if (_loaded.TryGetValue(keyId, out var known))
            {
                keys.Add(known);
                continue;
            }
            var file = JsonSerializer.Deserialize<KeyFile>(File.ReadAllText(path), Json)
                ?? throw new InvalidOperationException($"The signing key file {path} is empty.");
            var key = ToRingKey(file);
            _loaded[key.KeyId] = key;
            keys.Add(key);
        }
        // Keys another instance deleted are gone from this one's ring too.
        foreach (var gone in _loaded.Keys.Where(k => !present.Contains(k)).ToList())
        {
            _loaded.Remove(gone);
        }
        return keys;
    }

    private RingKey Create(DateTimeOffset now, DateTimeOffset activatesAt)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12));
        var file = new KeyFile(keyId, now, activatesAt, Convert.ToBase64String(ecdsa.ExportPkcs8PrivateKey()));
        var path = Path.Combine(Directory, keyId + ".key.json");
        var temporary = path + ".tmp";
        // Private key material: readable by the service account only.
        var mode = OperatingSystem.IsWindows() ? default : UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = OperatingSystem.IsWindows()
            ? new FileStream(temporary, FileMode.CreateNew, FileAccess.Write)
            : new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
        {
            JsonSerializer.Serialize(stream, file, Json);
        }
        File.Move(temporary, path);
        var key = ToRingKey(file);
        _loaded[keyId] = key;
        _logger.LogInformation("Created signing key {KeyId}; it signs from {ActivatesAt:u}", keyId, activatesAt);
        return key;
    }

    private void Delete(RingKey key)
    {
        try
        {
            File.Delete(Path.Combine(Directory, key.KeyId + ".key.json"));
        }
        catch (IOException)
        {
            // Another instance removed it first.
        }
        _loaded.Remove(key.KeyId);
        _logger.LogInformation("Removed signing key {KeyId}: its overlap window has passed", key.KeyId);
    }

    private static RingKey ToRingKey(KeyFile file)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(file.Pkcs8), out _);
        return new RingKey(file.KeyId, file.CreatedAt, file.ActivatesAt, new ECDsaSecurityKey(ecdsa) { KeyId = file.KeyId });
    }

    private sealed record KeyFile(
        [property: JsonPropertyName("kid")] string KeyId,
        [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
        [property: JsonPropertyName("activates_at")] DateTimeOffset ActivatesAt,
        [property: JsonPropertyName("pkcs8")] string Pkcs8);
}
