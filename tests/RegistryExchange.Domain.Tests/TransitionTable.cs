using RegistryExchange.Domain.Students;

namespace RegistryExchange.Domain.Tests;

/// <summary>The 学籍异动 table as the brief states it, written out independently of <see cref="StatusLifecycle"/>.</summary>
internal static class TransitionTable
{
    public static readonly StudentStatus[] Statuses = Enum.GetValues<StudentStatus>();
    public static readonly StatusEventKind[] Kinds = Enum.GetValues<StatusEventKind>();

    /// <summary>Allowed moves other than restoration, whose target depends on history.</summary>
    public static readonly IReadOnlyDictionary<(StudentStatus From, StatusEventKind Kind), StudentStatus> Fixed =
        new Dictionary<(StudentStatus, StatusEventKind), StudentStatus>
        {
            [(StudentStatus.Enrolled, StatusEventKind.Suspend)] = StudentStatus.Suspended,
            [(StudentStatus.Suspended, StatusEventKind.Resume)] = StudentStatus.Enrolled,
            [(StudentStatus.Enrolled, StatusEventKind.Withdraw)] = StudentStatus.Withdrawn,
            [(StudentStatus.Suspended, StatusEventKind.Withdraw)] = StudentStatus.Withdrawn,
            [(StudentStatus.Enrolled, StatusEventKind.Graduate)] = StudentStatus.Graduated,
            [(StudentStatus.Enrolled, StatusEventKind.ChangeMajor)] = StudentStatus.Enrolled,
            [(StudentStatus.Enrolled, StatusEventKind.ChangeStudyMode)] = StudentStatus.Enrolled,
            [(StudentStatus.Enrolled, StatusEventKind.ChangeEducationLevel)] = StudentStatus.Enrolled,
            [(StudentStatus.Enrolled, StatusEventKind.ChangeDegreeType)] = StudentStatus.Enrolled,
            [(StudentStatus.Enrolled, StatusEventKind.Death)] = StudentStatus.Deceased,
            [(StudentStatus.Suspended, StatusEventKind.Death)] = StudentStatus.Deceased,
            [(StudentStatus.Enrolled, StatusEventKind.Cancel)] = StudentStatus.Cancelled,
            [(StudentStatus.Suspended, StatusEventKind.Cancel)] = StudentStatus.Cancelled,
            [(StudentStatus.Withdrawn, StatusEventKind.Cancel)] = StudentStatus.Cancelled,
        };

    /// <summary>What a restoration may return to: the status before the withdrawal or before the cancellation.</summary>
    public static readonly IReadOnlyDictionary<StudentStatus, StudentStatus[]> RestorableTo =
        new Dictionary<StudentStatus, StudentStatus[]>
        {
            [StudentStatus.Withdrawn] = [StudentStatus.Enrolled, StudentStatus.Suspended],
            [StudentStatus.Cancelled] = [StudentStatus.Enrolled, StudentStatus.Suspended, StudentStatus.Withdrawn],
        };

    public static bool IsAllowed(StudentStatus from, StatusEventKind kind) =>
        Fixed.ContainsKey((from, kind)) || (kind == StatusEventKind.Restore && RestorableTo.ContainsKey(from));

    /// <summary>The expected result of <see cref="StatusLifecycle.Next"/>, or null when the move is forbidden.</summary>
    public static StudentStatus? Expected(StudentStatus from, StatusEventKind kind, StudentStatus statusBeforeTermination)
    {
        if (Fixed.TryGetValue((from, kind), out var to))
        {
            return to;
        }
        if (kind == StatusEventKind.Restore && RestorableTo.TryGetValue(from, out var targets) && targets.Contains(statusBeforeTermination))
        {
            return statusBeforeTermination;
        }
        return null;
    }

    public static TheoryData<StudentStatus, StatusEventKind> AllPairs()
    {
        var data = new TheoryData<StudentStatus, StatusEventKind>();
        foreach (var s in Statuses)
        {
            foreach (var k in Kinds)
            {
                data.Add(s, k);
            }
        }
        return data;
    }

    public static TheoryData<StudentStatus, StatusEventKind> AllowedPairs()
    {
        var data = new TheoryData<StudentStatus, StatusEventKind>();
        foreach (var (s, k) in AllPairsList().Where(p => IsAllowed(p.From, p.Kind)))
        {
            data.Add(s, k);
        }
        return data;
    }

    public static TheoryData<StudentStatus, StatusEventKind> ForbiddenPairs()
    {
        var data = new TheoryData<StudentStatus, StatusEventKind>();
        foreach (var (s, k) in AllPairsList().Where(p => !IsAllowed(p.From, p.Kind)))
        {
            data.Add(s, k);
        }
        return data;
    }

    public static IEnumerable<(StudentStatus From, StatusEventKind Kind)> AllPairsList() =>
        from s in Statuses from k in Kinds select (s, k);
}
