using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using RegistryExchange.Authority.Security;
using RegistryExchange.Protocol;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Identity;

/// <summary>Staff administration of the token server's clients (scope <c>admin</c>). Secrets appear only in responses.</summary>
[Authorize(Policy = AuthorityPolicies.StaffAdmin)]
public sealed class ClientAdminService(ClientRegistry registry, ILogger<ClientAdminService> logger) : W.ClientAdminService.ClientAdminServiceBase
{
    public override Task<W.RegisterSchoolResponse> RegisterSchool(W.RegisterSchoolRequest request, ServerCallContext context) =>
        Guard(context, async () =>
        {
            var (issued, created) = await registry.RegisterSchoolAsync(request.SchoolCode, request.Name, request.RegionCode, request.JsonWebKeySet, context.CancellationToken);
            return new W.RegisterSchoolResponse { Client = Summary(issued.Client), Credentials = Credentials(issued), SchoolCreated = created };
        });

    public override Task<W.RegisterEmployerResponse> RegisterEmployer(W.RegisterEmployerRequest request, ServerCallContext context) =>
        Guard(context, async () =>
        {
            var issued = await registry.RegisterEmployerAsync(request.DisplayName, request.OrganisationCode, request.JsonWebKeySet, context.CancellationToken);
            return new W.RegisterEmployerResponse { Client = Summary(issued.Client), Credentials = Credentials(issued) };
        });

    public override Task<W.RegisterClientResponse> RegisterClient(W.RegisterClientRequest request, ServerCallContext context) =>
        Guard(context, async () =>
        {
            var kind = FromWire(request.Kind);
            if (kind is null)
            {
                throw new ClientRequestException([new("kind", "must be CLIENT_KIND_STAFF or CLIENT_KIND_FEED_CONSUMER")]);
            }
            var issued = await registry.RegisterClientAsync(kind.Value, request.DisplayName, request.JsonWebKeySet, context.CancellationToken);
            return new W.RegisterClientResponse { Client = Summary(issued.Client), Credentials = Credentials(issued) };
        });

    public override Task<W.RotateClientSecretResponse> RotateClientSecret(W.RotateClientSecretRequest request, ServerCallContext context) =>
        Guard(context, async () =>
        {
            var issued = await registry.RotateSecretAsync(request.ClientId, context.CancellationToken);
            return new W.RotateClientSecretResponse { Client = Summary(issued.Client), Credentials = Credentials(issued) };
        });

    public override Task<W.ListClientsResponse> ListClients(W.ListClientsRequest request, ServerCallContext context) =>
        Guard(context, async () =>
        {
            var clients = await registry.ListAsync(FromWire(request.Kind), request.IncludeDisabled, context.CancellationToken);
            return new W.ListClientsResponse { Clients = { clients.Select(Summary) } };
        });

    public override Task<W.DisableClientResponse> DisableClient(W.DisableClientRequest request, ServerCallContext context) =>
        Guard(context, async () =>
        {
            var client = await registry.DisableAsync(request.ClientId, request.Reason, context.CancellationToken);
            logger.LogInformation("Client {ClientId} disabled by {Staff}", client.ClientId, context.Caller().ClientId);
            return new W.DisableClientResponse { Client = Summary(client) };
        });

    private static async Task<T> Guard<T>(ServerCallContext context, Func<Task<T>> action)
    {
        _ = context;
        try
        {
            return await action();
        }
        catch (ClientRequestException e)
        {
            throw RichErrors.InvalidArgument(e.Errors);
        }
        catch (ClientNotFoundException e)
        {
            throw RichErrors.WithReason(StatusCode.NotFound, "CLIENT_NOT_FOUND", $"No client '{e.ClientId}'.");
        }
    }

    private static ClientKindSetting? FromWire(W.ClientKind kind) => kind switch
    {
        W.ClientKind.SchoolAgent => ClientKindSetting.SchoolAgent,
        W.ClientKind.Employer => ClientKindSetting.Employer,
        W.ClientKind.Staff => ClientKindSetting.Staff,
        W.ClientKind.FeedConsumer => ClientKindSetting.FeedConsumer,
        _ => null,
    };

    private static W.ClientKind ToWire(ClientKindSetting kind) => kind switch
    {
        ClientKindSetting.SchoolAgent => W.ClientKind.SchoolAgent,
        ClientKindSetting.Employer => W.ClientKind.Employer,
        ClientKindSetting.Staff => W.ClientKind.Staff,
        ClientKindSetting.FeedConsumer => W.ClientKind.FeedConsumer,
        _ => W.ClientKind.Unspecified,
    };

    private static W.ClientSummary Summary(ClientInfo client)
    {
        var summary = new W.ClientSummary
        {
            ClientId = client.ClientId,
            DisplayName = client.DisplayName,
            Kind = ToWire(client.Kind),
            SchoolCode = client.SchoolCode ?? "",
            Scopes = { client.Scopes },
            Disabled = client.Disabled,
        };
        if (client.CreatedAt is { } created)
        {
            summary.CreatedAt = Timestamp.FromDateTimeOffset(created);
        }
        if (client.SecretRotatedAt is { } rotated)
        {
            summary.SecretRotatedAt = Timestamp.FromDateTimeOffset(rotated);
        }
        return summary;
    }

    private static W.ClientCredentials Credentials(IssuedClient issued) => new()
    {
        ClientId = issued.Client.ClientId,
        ClientSecret = issued.ClientSecret,
        TokenEndpoint = issued.TokenEndpoint.AbsoluteUri,
        Scopes = { issued.Client.Scopes },
    };
}
