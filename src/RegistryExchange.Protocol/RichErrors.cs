using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using RegistryExchange.Domain.Validation;

namespace RegistryExchange.Protocol;

/// <summary>Errors as rich gRPC status (google.rpc.Status in the grpc-status-details-bin trailer).</summary>
public static class RichErrors
{
    public const string Domain = "registryexchange.v1";

    /// <summary>INVALID_ARGUMENT with one BadRequest field violation per broken rule.</summary>
    public static RpcException InvalidArgument(IEnumerable<ValidationError> errors, string? message = null)
    {
        var list = errors.ToList();
        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(list.Select(e => new BadRequest.Types.FieldViolation { Field = e.Field, Description = e.Description }));
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = message ?? Summarise(list),
            Details = { Any.Pack(badRequest) },
        };
        return status.ToRpcException();
    }

    public static RpcException InvalidArgument(string field, string description) =>
        InvalidArgument([new ValidationError(field, description)]);

    /// <summary>FAILED_PRECONDITION with a machine-readable reason and metadata (ErrorInfo) and a PreconditionFailure.</summary>
    public static RpcException FailedPrecondition(string reason, string message, IDictionary<string, string>? metadata = null, string? subject = null)
    {
        var info = new ErrorInfo { Reason = reason, Domain = Domain };
        if (metadata is not null)
        {
            info.Metadata.Add(metadata);
        }
        var failure = new PreconditionFailure();
        failure.Violations.Add(new PreconditionFailure.Types.Violation { Type = reason, Subject = subject ?? "", Description = message });
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.FailedPrecondition,
            Message = message,
            Details = { Any.Pack(info), Any.Pack(failure) },
        };
        return status.ToRpcException();
    }

    public static RpcException WithReason(StatusCode code, string reason, string message)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)code,
            Message = message,
            Details = { Any.Pack(new ErrorInfo { Reason = reason, Domain = Domain }) },
        };
        return status.ToRpcException();
    }

    private static string Summarise(List<ValidationError> errors) =>
        errors.Count switch
        {
            0 => "The request is invalid.",
            1 => $"{errors[0].Field} {errors[0].Description}",
            _ => $"{errors.Count} fields are invalid; first: {errors[0].Field} {errors[0].Description}",
        };
}
