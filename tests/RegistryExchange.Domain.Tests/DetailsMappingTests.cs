using Google.Protobuf;
using Google.Protobuf.Reflection;
using RegistryExchange.Domain.Students;
using RegistryExchange.Domain.Validation;
using RegistryExchange.Protocol;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Domain.Tests;

public class DetailsMappingTests
{
    /// <summary>A wire record with every field of every message set to something other than its default.</summary>
    private static W.StudentDetails FullWireDetails()
    {
        var wire = Samples.Details().ToWire();
        wire.Basic.Guardians.Add(new W.Guardian { Name = "李强", Relation = "父亲", Phone = "13700000000" });
        return wire;
    }

    [Fact]
    public void The_full_sample_sets_every_wire_field_so_a_new_field_cannot_go_unmapped_unnoticed()
    {
        Assert.Empty(UnsetFields(FullWireDetails(), "details"));
    }

    [Fact]
    public void A_full_record_survives_wire_to_domain_to_wire_unchanged()
    {
        var wire = FullWireDetails();

        var back = wire.ToDomain().ToWire();

        Assert.Equal(wire, back);
        Assert.Equal(wire.ToByteArray(), back.ToByteArray());
    }

    [Fact]
    public void A_full_record_survives_domain_to_wire_to_domain_unchanged()
    {
        var domain = Samples.Details();

        var back = domain.ToWire().ToDomain();

        Assert.Equal(domain.Basic with { Guardians = [] }, back.Basic with { Guardians = [] });
        Assert.Equal(domain.Basic.Guardians, back.Basic.Guardians);
        Assert.Equal(domain.Enrollment, back.Enrollment);
        Assert.Equal(domain.Registrations, back.Registrations);
        Assert.Equal(domain.Grades, back.Grades);
        Assert.Equal(domain.QualityEvaluations, back.QualityEvaluations);
        Assert.Equal(domain.AwardsAndDiscipline, back.AwardsAndDiscipline);
    }

    [Fact]
    public void Characters_outside_the_bmp_survive_the_binary_wire_format()
    {
        var wire = FullWireDetails();
        wire.Basic.Name = "吉𠮷䶮";

        var parsed = W.StudentDetails.Parser.ParseFrom(wire.ToByteArray());

        Assert.Equal("吉𠮷䶮", parsed.ToDomain().Basic.Name);
    }

    [Fact]
    public void Missing_wire_details_become_empty_domain_details()
    {
        var empty = ((W.StudentDetails?)null).ToDomain();
        Assert.Equal("", empty.Basic.Name);
        Assert.Equal(EducationLevel.Unspecified, empty.Enrollment.EducationLevel);
        Assert.Empty(empty.Grades);

        var noParts = new W.StudentDetails().ToDomain();
        Assert.Equal("", noParts.Enrollment.EnrollmentDate);
    }

    [Fact]
    public void An_unknown_enum_number_on_the_wire_reaches_the_validator_which_names_it()
    {
        var wire = FullWireDetails();
        wire.Enrollment.StudyMode = (W.StudyMode)77;

        var domain = wire.ToDomain();

        Assert.Equal((StudyMode)77, domain.Enrollment.StudyMode);
        var error = Assert.Single(StudentDetailsValidator.Validate(domain, Samples.Today));
        Assert.Equal(("enrollment.study_mode", "77 is not a known value"), (error.Field, error.Description));
        Assert.Equal((W.StudyMode)77, domain.ToWire().Enrollment.StudyMode);
    }

    [Fact]
    public void Domain_and_wire_enums_share_names_and_numbers()
    {
        AssertSameMembers<StudentStatus, W.StudentStatus>("STUDENT_STATUS_");
        AssertSameMembers<StatusEventKind, W.StatusEventKind>("STATUS_EVENT_KIND_");
        AssertSameMembers<EducationLevel, W.EducationLevel>("EDUCATION_LEVEL_");
        AssertSameMembers<DegreeType, W.DegreeType>("DEGREE_TYPE_");
        AssertSameMembers<StudyMode, W.StudyMode>("STUDY_MODE_");
        AssertSameMembers<AwardKind, W.AwardKind>("AWARD_KIND_");
    }

    [Fact]
    public void A_status_event_survives_wire_to_domain_to_wire_unchanged()
    {
        var wire = new W.StatusEvent
        {
            Kind = W.StatusEventKind.ChangeStudyMode, EffectiveDate = "2025-03-01", Reason = "转为非全日制",
            Reference = "XJ-1", NewValue = "PART_TIME", StatusBefore = W.StudentStatus.Enrolled, StatusAfter = W.StudentStatus.Enrolled,
        };
        Assert.Empty(UnsetFields(wire, "event"));
        Assert.Equal(wire, wire.ToDomain().ToWire());
    }

    [Fact]
    public void A_student_goes_on_the_wire_with_its_history_in_order_and_its_version()
    {
        var student = Samples.NewStudent();
        student.AssignNationalNumber("G" + Samples.StudentId);
        student.Apply(StatusEventKind.Suspend);
        student.Apply(StatusEventKind.Resume);

        var wire = student.ToWire();

        Assert.DoesNotContain(UnsetFields(wire, "record"), f => f.Count(c => c == '.') == 1); // every top-level field is set
        Assert.Equal(("G" + Samples.StudentId, "1111010001", "stu-001", W.StudentStatus.Enrolled, 3L),
            (wire.NationalStudentNumber, wire.SchoolCode, wire.LocalId, wire.Status, wire.Version));
        Assert.Equal([W.StatusEventKind.Enroll, W.StatusEventKind.Suspend, W.StatusEventKind.Resume], wire.StatusHistory.Select(e => e.Kind));
        Assert.Equal(student.History, wire.StatusHistory.Select(e => e.ToDomain()));
        Assert.Equal(student.Details.ToWire(), wire.Details);
    }

    private static void AssertSameMembers<TDomain, TWire>(string wirePrefix)
        where TDomain : struct, Enum
        where TWire : struct, Enum
    {
        var descriptor = W.StudentReflection.Descriptor.EnumTypes.Single(e => e.ClrType == typeof(TWire));
        var wire = descriptor.Values.ToDictionary(v => v.Number, v => v.Name);
        var domain = Enum.GetValues<TDomain>().ToDictionary(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture), v => v.ToString());
        Assert.Equal(wire.Keys.Order(), domain.Keys.Order());
        foreach (var (number, name) in domain)
        {
            Assert.Equal(wirePrefix + ToScreamingSnake(name), wire[number]);
        }
    }

    private static string ToScreamingSnake(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));

    /// <summary>Paths of fields left at their default, recursing into messages and the first element of lists.</summary>
    private static List<string> UnsetFields(IMessage message, string path)
    {
        var unset = new List<string>();
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var value = field.Accessor.GetValue(message);
            var here = path + "." + field.Name;
            if (field.IsRepeated)
            {
                var list = (System.Collections.IList)value;
                if (list.Count == 0)
                {
                    unset.Add(here);
                }
                else if (list[0] is IMessage)
                {
                    // A field of a list element counts as covered when any element sets it.
                    var unsetInEvery = list.Cast<IMessage>().Select(m => (IEnumerable<string>)UnsetFields(m, here + "[]"))
                        .Aggregate((a, b) => a.Intersect(b, StringComparer.Ordinal));
                    unset.AddRange(unsetInEvery);
                }
            }
            else if (field.FieldType == FieldType.Message)
            {
                if (value is IMessage m)
                {
                    unset.AddRange(UnsetFields(m, here));
                }
                else
                {
                    unset.Add(here);
                }
            }
            else if (value is null || value.Equals(DefaultOf(field)))
            {
                unset.Add(here);
            }
        }
        return unset;
    }

    private static object DefaultOf(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => "",
        FieldType.Bool => false,
        FieldType.Enum => Enum.ToObject(field.EnumType.ClrType, 0),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 0L,
        FieldType.UInt64 or FieldType.Fixed64 => 0UL,
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => 0,
        FieldType.UInt32 or FieldType.Fixed32 => 0U,
        FieldType.Double => 0d,
        FieldType.Float => 0f,
        FieldType.Bytes => ByteString.Empty,
        _ => throw new NotSupportedException(field.FieldType.ToString()),
    };
}
