using D = RegistryExchange.Domain.Students;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Protocol;

/// <summary>Wire ↔ domain for the student record. Enum values are shared numbers, so they map by cast and unknown
/// numbers survive to the validator, which names them.</summary>
public static class DetailsMapping
{
    public static D.StudentDetails ToDomain(this W.StudentDetails? w)
    {
        if (w is null)
        {
            return new D.StudentDetails();
        }
        var b = w.Basic ?? new W.BasicInfo();
        var e = w.Enrollment ?? new W.Enrollment();
        return new D.StudentDetails
        {
            Basic = new D.BasicInfo
            {
                Name = b.Name,
                FormerName = b.FormerName,
                GenderCode = b.GenderCode,
                EthnicityCode = b.EthnicityCode,
                BirthDate = b.BirthDate,
                IdNumber = b.IdNumber,
                Nationality = b.Nationality,
                NativePlaceRegionCode = b.NativePlaceRegionCode,
                HouseholdAddress = b.HouseholdAddress,
                HouseholdRegionCode = b.HouseholdRegionCode,
                Phone = b.Phone,
                Guardians = [.. b.Guardians.Select(g => new D.Guardian { Name = g.Name, Relation = g.Relation, Phone = g.Phone })],
            },
            Enrollment = new D.Enrollment
            {
                StudentNumber = e.StudentNumber,
                EnrollmentDate = e.EnrollmentDate,
                Grade = e.Grade,
                ClassName = e.ClassName,
                EducationLevel = (D.EducationLevel)e.EducationLevel,
                Major = e.Major,
                DegreeType = (D.DegreeType)e.DegreeType,
                StudyMode = (D.StudyMode)e.StudyMode,
            },
            Registrations = [.. w.Registrations.Select(r => new D.TermRegistration { Term = r.Term, RegisteredOn = r.RegisteredOn })],
            Grades = [.. w.Grades.Select(g => new D.CourseGrade { Term = g.Term, Course = g.Course, Score = g.Score, Credits = g.Credits })],
            QualityEvaluations = [.. w.QualityEvaluations.Select(q => new D.QualityEvaluation { Term = q.Term, Level = q.Level, Summary = q.Summary })],
            AwardsAndDiscipline = [.. w.AwardsAndDiscipline.Select(a => new D.AwardOrDiscipline
            {
                EntryId = a.EntryId,
                Kind = (D.AwardKind)a.Kind,
                Level = a.Level,
                Title = a.Title,
                Reason = a.Reason,
                Date = a.Date,
                PeriodEndDate = a.PeriodEndDate,
                Revoked = a.Revoked,
                RevokedOn = a.RevokedOn,
            })],
        };
    }

    public static W.StudentDetails ToWire(this D.StudentDetails d)
    {
        var basic = new W.BasicInfo
        {
            Name = d.Basic.Name,
            FormerName = d.Basic.FormerName,
            GenderCode = d.Basic.GenderCode,
            EthnicityCode = d.Basic.EthnicityCode,
            BirthDate = d.Basic.BirthDate,
            IdNumber = d.Basic.IdNumber,
            Nationality = d.Basic.Nationality,
            NativePlaceRegionCode = d.Basic.NativePlaceRegionCode,
            HouseholdAddress = d.Basic.HouseholdAddress,
            HouseholdRegionCode = d.Basic.HouseholdRegionCode,
            Phone = d.Basic.Phone,
        };
        basic.Guardians.AddRange(d.Basic.Guardians.Select(g => new W.Guardian { Name = g.Name, Relation = g.Relation, Phone = g.Phone }));
        var w = new W.StudentDetails
        {
            Basic = basic,
            Enrollment = new W.Enrollment
            {
                StudentNumber = d.Enrollment.StudentNumber,
                EnrollmentDate = d.Enrollment.EnrollmentDate,
                Grade = d.Enrollment.Grade,
                ClassName = d.Enrollment.ClassName,
                EducationLevel = (W.EducationLevel)d.Enrollment.EducationLevel,
                Major = d.Enrollment.Major,
                DegreeType = (W.DegreeType)d.Enrollment.DegreeType,
                StudyMode = (W.StudyMode)d.Enrollment.StudyMode,
            },
        };
        w.Registrations.AddRange(d.Registrations.Select(r => new W.TermRegistration { Term = r.Term, RegisteredOn = r.RegisteredOn }));
        w.Grades.AddRange(d.Grades.Select(g => new W.CourseGrade { Term = g.Term, Course = g.Course, Score = g.Score, Credits = g.Credits }));
        w.QualityEvaluations.AddRange(d.QualityEvaluations.Select(q => new W.QualityEvaluation { Term = q.Term, Level = q.Level, Summary = q.Summary }));
        w.AwardsAndDiscipline.AddRange(d.AwardsAndDiscipline.Select(a => new W.AwardOrDiscipline
        {
            EntryId = a.EntryId,
            Kind = (W.AwardKind)a.Kind,
            Level = a.Level,
            Title = a.Title,
            Reason = a.Reason,
            Date = a.Date,
            PeriodEndDate = a.PeriodEndDate,
            Revoked = a.Revoked,
            RevokedOn = a.RevokedOn,
        }));
        return w;
    }

    public static W.StatusEvent ToWire(this D.StatusEvent e) => new()
    {
        Kind = (W.StatusEventKind)e.Kind,
        EffectiveDate = e.EffectiveDate,
        Reason = e.Reason,
        Reference = e.Reference,
        NewValue = e.NewValue,
        StatusBefore = (W.StudentStatus)e.StatusBefore,
        StatusAfter = (W.StudentStatus)e.StatusAfter,
    };

    public static D.StatusEvent ToDomain(this W.StatusEvent e) => new()
    {
        Kind = (D.StatusEventKind)e.Kind,
        EffectiveDate = e.EffectiveDate,
        Reason = e.Reason,
        Reference = e.Reference,
        NewValue = e.NewValue,
        StatusBefore = (D.StudentStatus)e.StatusBefore,
        StatusAfter = (D.StudentStatus)e.StatusAfter,
    };

    public static W.StudentRecord ToWire(this D.Student s)
    {
        var w = new W.StudentRecord
        {
            NationalStudentNumber = s.NationalStudentNumber,
            SchoolCode = s.SchoolCode,
            LocalId = s.LocalId,
            Status = (W.StudentStatus)s.Status,
            Details = s.Details.ToWire(),
            Version = s.Version,
        };
        w.StatusHistory.AddRange(s.History.Select(ToWire));
        return w;
    }
}
