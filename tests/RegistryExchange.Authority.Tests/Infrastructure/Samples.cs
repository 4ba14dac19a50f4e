using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using RegistryExchange.Domain.Codes;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests.Infrastructure;

/// <summary>Valid students and changes. Every ID number handed out in a test run is distinct.</summary>
public static class Samples
{
    private static int _ids;

    /// <summary>A valid male ID number (region 110105) with its birth date.</summary>
    public static (string IdNumber, string BirthDate) NewIdNumber()
    {
        var n = Interlocked.Increment(ref _ids);
        var birth = new DateOnly(2008, 1, 1).AddDays(n / 400);
        var first17 = "110105" + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + ((n % 400 * 2) + 1).ToString("D3", CultureInfo.InvariantCulture);
        return (first17 + IdNumber.CheckCharacterFor(first17), birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    public static W.StudentDetails Details(string? idNumber = null, string birthDate = "2009-03-15", string name = "张𠮷")
    {
        return new W.StudentDetails
        {
            Basic = new W.BasicInfo
            {
                Name = name,
                GenderCode = "1",
                EthnicityCode = "01",
                BirthDate = birthDate,
                IdNumber = idNumber ?? "",
                Nationality = "CHN",
                HouseholdAddress = "北京市朝阳区示范路1号",
                HouseholdRegionCode = "110105",
                Guardians = { new W.Guardian { Name = "张父", Relation = "父亲", Phone = "13800000000" } },
            },
            Enrollment = new W.Enrollment
            {
                StudentNumber = "2024001",
                EnrollmentDate = "2024-09-01",
                Grade = "2024",
                ClassName = "1班",
                EducationLevel = W.EducationLevel.SeniorSecondary,
                DegreeType = W.DegreeType.None,
                StudyMode = W.StudyMode.FullTime,
            },
        };
    }

    /// <summary>Details with a fresh valid ID number.</summary>
    public static W.StudentDetails DetailsWithId()
    {
        var (id, birth) = NewIdNumber();
        return Details(id, birth);
    }

    public static W.RecordChange Create(ulong sequence, string localId, W.StudentDetails? details = null) => new()
    {
        Sequence = sequence,
        StudentLocalId = localId,
        RecordedAt = Timestamp.FromDateTime(new DateTime(2024, 9, 1, 8, 0, 0, DateTimeKind.Utc)),
        Created = new W.StudentCreated { Details = details ?? DetailsWithId(), EffectiveDate = "2024-09-01", Reason = "新生入学" },
    };

    public static W.RecordChange Update(ulong sequence, string localId, W.StudentDetails details, string nationalNumber = "") => new()
    {
        Sequence = sequence,
        StudentLocalId = localId,
        NationalStudentNumber = nationalNumber,
        Updated = new W.StudentUpdated { Details = details },
    };

    public static W.RecordChange Status(ulong sequence, string localId, W.StatusEventKind kind, string nationalNumber = "") => new()
    {
        Sequence = sequence,
        StudentLocalId = localId,
        NationalStudentNumber = nationalNumber,
        StatusChanged = new W.StatusChanged { Kind = kind, EffectiveDate = "2025-03-01", Reason = "因病", Reference = "2025-001" },
    };

    /// <summary>Creates of <paramref name="count"/> new students with ID numbers, sequences from <paramref name="firstSequence"/>.</summary>
    public static List<W.RecordChange> Creates(ulong firstSequence, int count, string prefix = "s") =>
        [.. Enumerable.Range(0, count).Select(i => Create(firstSequence + (ulong)i, $"{prefix}{firstSequence + (ulong)i}"))];
}
