using Grpc.Core;
using RegistryExchange.Authority.Security;

namespace RegistryExchange.Authority.Audit;

/// <summary>What an entry records, and the purpose assumed when the caller declares none (<c>rx-purpose</c>).</summary>
public static class AuditActions
{
    public const string SyncPush = "sync.push";
    public const string SyncRejectedList = "sync.rejected-list";
    public const string FeedRead = "feed.read";
    public const string DuplicatesList = "duplicates.list";
    public const string DuplicatesResolve = "duplicates.resolve";
    public const string AuditStudentAccess = "audit.student-access";
    public const string AuditVerify = "audit.verify";

    public static string DefaultPurpose(string action) => action switch
    {
        SyncPush => "registration",
        SyncRejectedList => "registration-correction",
        FeedRead => "registry-distribution",
        DuplicatesList or DuplicatesResolve => "duplicate-review",
        _ => "access-review",
    };

    /// <summary>The key an audit subject has: the national student number, else <c>school_code/local_id</c>.</summary>
    public static string SubjectKey(string? nationalStudentNumber, string schoolCode, string localId) =>
        string.IsNullOrEmpty(nationalStudentNumber) ? schoolCode + "/" + localId : nationalStudentNumber;

    /// <summary>An event by the caller of <paramref name="context"/>, from its token and its declared purpose.</summary>
    public static AuditEvent Event(ServerCallContext context, string action, IEnumerable<string> subjects, string detail = "")
    {
        var caller = context.Caller();
        return new AuditEvent(new AuditActor(caller.ClientId, caller.Kind, caller.SchoolCode), action,
            caller.Purpose ?? DefaultPurpose(action), subjects, detail);
    }
}
