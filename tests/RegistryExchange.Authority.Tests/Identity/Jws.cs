using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace RegistryExchange.Authority.Tests.Identity;

/// <summary>Takes tokens apart and puts (forged) ones together, by hand, so a test controls every byte.</summary>
public static class Jws
{
    public static JsonObject Header(string token) => Part(token, 0);

    public static JsonObject Payload(string token) => Part(token, 1);

    private static JsonObject Part(string token, int index) =>
        JsonNode.Parse(Base64UrlEncoder.DecodeBytes(token.Split('.')[index]))!.AsObject();

    /// <summary>An ES256 JWS of <paramref name="payload"/> signed with <paramref name="key"/> under <paramref name="keyId"/>.</summary>
    public static string Sign(JsonObject payload, ECDsa key, string keyId, string type = "at+jwt")
    {
        var header = new JsonObject { ["alg"] = "ES256", ["kid"] = keyId, ["typ"] = type };
        var signingInput = Encode(header) + "." + Encode(payload);
        // JWS wants the raw r||s form (IEEE P1363), which is .NET's default.
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>An unsigned token: <c>alg</c> none and an empty signature.</summary>
    public static string WithoutSignature(JsonObject payload, string keyId) =>
        Encode(new JsonObject { ["alg"] = "none", ["kid"] = keyId, ["typ"] = "at+jwt" }) + "." + Encode(payload) + ".";

    /// <summary>The token with its payload replaced and the original signature kept.</summary>
    public static string WithPayload(string token, JsonObject payload)
    {
        var parts = token.Split('.');
        return parts[0] + "." + Encode(payload) + "." + parts[2];
    }

    public static string Encode(JsonObject json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json.ToJsonString()));

    /// <summary>The private key of ring key <paramref name="keyId"/>, read from its file in <paramref name="directory"/>.</summary>
    public static ECDsa RingKey(string directory, string keyId)
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, keyId + ".key.json")));
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(file.RootElement.GetProperty("pkcs8").GetString()!), out _);
        return key;
    }
}
