using Grpc.Core;
using Grpc.Core.Interceptors;
using RegistryExchange.Agent.Register;
using RegistryExchange.Domain.Students;
using RegistryExchange.Domain.Validation;
using RegistryExchange.Protocol;

namespace RegistryExchange.Agent.Api;

/// <summary>Turns domain refusals into precise gRPC statuses, so service methods only state the happy path.</summary>
public sealed class DomainErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Translate(e) is { } rpc)
        {
            throw rpc;
        }
    }

    internal static RpcException? Translate(Exception e) => e switch
    {
        FieldValidationException f => RichErrors.InvalidArgument(f.Errors),
        DomainValidationException v => RichErrors.InvalidArgument(v.Errors),
        IllegalTransitionException t => RichErrors.FailedPrecondition("ILLEGAL_TRANSITION", t.Message,
            new Dictionary<string, string> { ["status"] = t.From.ToString(), ["kind"] = t.Kind.ToString() }),
        StudentNotFoundException n => RichErrors.WithReason(StatusCode.NotFound, "STUDENT_NOT_FOUND", n.Message),
        StudentAlreadyExistsException a => RichErrors.WithReason(StatusCode.AlreadyExists, "STUDENT_EXISTS", a.Message),
        VersionConflictException c => RichErrors.WithReason(StatusCode.Aborted, "VERSION_CONFLICT", c.Message),
        _ => null,
    };
}

/// <summary>Validation errors whose field paths are already those of the request message.</summary>
public sealed class FieldValidationException(IReadOnlyList<ValidationError> errors) : Exception("Validation failed")
{
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}
