using Google.Protobuf.WellKnownTypes;
using RegistryExchange.Storage.Model;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Ingest;

/// <summary>The one way a stored change becomes a ChangeResult, for first answers and replays alike.</summary>
public static class ChangeResults
{
    public static W.ChangeResult ToWire(ChangeLogRow row)
    {
        var accepted = row.Outcome == ChangeOutcome.Accepted;
        return new W.ChangeResult
        {
            Sequence = (ulong)row.Sequence,
            Outcome = (W.ChangeOutcome)(int)row.Outcome,
            NationalStudentNumber = accepted ? row.NationalStudentNumber ?? "" : "",
            RejectionReason = row.RejectionReason is { } reason ? (W.RejectionReason)(int)reason : W.RejectionReason.Unspecified,
            Message = row.Message,
            FeedVersion = accepted ? row.Version : 0,
            AppliedAt = Timestamp.FromDateTime(row.AppliedAt),
        };
    }
}
